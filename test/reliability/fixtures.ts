// What the reliability tests ask the nodes they run: the HTTP port of stage 4's
// shortener (its reference solution) on that node.
import { httpPort } from '../../solutions/exercise4-link-shortener/shortener.ts';

export const FIXTURES = import.meta.url;

export const shortenerPort = (): number => httpPort();
