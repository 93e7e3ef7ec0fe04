// Map/reduce with workers that die (stage 3's solution): a master on the
// demo's node hands map jobs, then reduce jobs, to workers on three nodes,
// which write their outputs to the storage. One worker node is killed with -9
// in the middle of a job; the master hands its task to another worker, the
// rerun writes the same keys, and the output is still exact: every line once.
import { Node, Storage } from '../lib/index.ts';
import { LocalCluster } from '../lib/cluster/localCluster.ts';
import type { Demo } from '../apps/demoRunner/index.ts';

const STAGE = '#stage/exercise3-map-reduce';
const LINES = 20_000;

const demo: Demo = {
  title: 'map/reduce: workers killed mid-job, the output still exact',
  summary: 'A master here, workers on three nodes writing to the storage; kill -9 one in the middle of a job: every line comes out exactly once.',
  async run(show) {
    const { startMaster } = (await import(`${STAGE}/master.ts`)) as typeof import('#stage/exercise3-map-reduce/master.ts');
    const { mapReduce } = (await import(`${STAGE}/mapReduce.ts`)) as typeof import('#stage/exercise3-map-reduce/mapReduce.ts');
    const { corpus } = (await import(`${STAGE}/corpus.ts`)) as typeof import('#stage/exercise3-map-reduce/corpus.ts');

    await show.step(
      'a master here, workers on three nodes',
      'The master hands out tasks; workers on three nodes announce themselves, run a task, write its output',
      'to the storage (outside the mesh) and report "done". The master only ever sees which task is done.',
    );
    const workers = await show.cluster.startNodes('worker', 3, { storage: true, boot: `${STAGE}/worker.ts`, env: { MAPREDUCE_MASTER: Node.self() } });
    await startMaster();
    show.say(`workers on ${workers.map((w) => show.label(w)).join(', ')}; the master is on ${show.label(Node.self())}`);

    await show.step('a word count over a 1 MB text', '8 map jobs count the words of their chunk; 4 reduce jobs add up each word\'s counts.');
    const words = await mapReduce({ name: 'wc', app: `${STAGE}/wordCount.ts`, mapJobs: 8, reduceJobs: 4 }, corpus());
    show.result('demo', 'the three most frequent words', (words as Array<[string, number]>).sort((a, b) => b[1] - a[1]).slice(0, 3));

    await show.step(
      `a job over ${LINES.toLocaleString('en-US')} numbered lines, and a worker killed in the middle`,
      'The identity job: every line of the input must come out exactly once.',
      'Ask the room: a worker dies holding a task. What must the master do, and what may happen twice?',
    );
    const lines = Array.from({ length: LINES }, (_, i) => `line ${i}`);
    const job = mapReduce({ name: 'lines', app: `${STAGE}/identity.ts`, mapJobs: 12, reduceJobs: 6 }, lines.join('\n'));
    // Wait until the job is under way (a map output is in the storage), then kill a worker's node.
    const storage = Storage.connect();
    await show.until(
      async () => (await Promise.all(Array.from({ length: 12 }, (_, m) => storage.get(`mr/lines/map/${m}/0`)))).some((v) => v !== null),
      (started) => started,
      'the job to write its first map output',
    );
    const victim = workers[1] as string;
    await LocalCluster.kill(victim);
    show.result('demo', `LocalCluster.kill('${show.label(victim)}')    # kill -9, in the middle of the job`, undefined);
    const out = (await job) as Array<[string, number]>;
    const copies = new Map(out.map(([line, n]) => [line, n]));
    const missing = lines.filter((l) => !copies.has(l)).length;
    const doubled = out.filter(([, n]) => n !== 1).length + (out.length - copies.size);
    show.result('demo', 'lines in the output', { lines: out.length, missing, doubled });
    show.check(missing === 0 && doubled === 0 && out.length === LINES, 'every line exactly once');
    show.say(
      `Every line once, although ${show.label(victim)} died: the master saw it go (a monitor), handed its task to another worker,`,
      'and the rerun wrote under the same keys, replacing, not adding: at least once, made harmless.',
    );
  },
};

export default demo;
