// What the reliability tests ask the nodes they run: the HTTP port of stage 4's
// shortener (the nodes run the reference solution) on that node.
import { httpPort } from '#stage/exercise4-link-shortener/shortener.ts';

export const FIXTURES = import.meta.url;

export const shortenerPort = (): number => httpPort();
