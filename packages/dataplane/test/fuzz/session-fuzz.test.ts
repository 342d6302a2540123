/**
 * The session fuzzer in CI: a fixed number of batches from a fixed seed (printed, so a failure
 * can be replayed with `npm run fuzz -- --seed S --runs N`). Long runs: `npm run fuzz`.
 * FUZZ_RUNS, FUZZ_SEED and FUZZ_PARALLEL override the defaults; FUZZ_LENIENT=0 leaves out the
 * TAB / leading-whitespace / control-byte variants of command lines (the reading differences of
 * issue 10, which the CommandReader now refuses or reads as Postfix does).
 */
import { fuzz } from './session-fuzzer';

const runs = Number(process.env.FUZZ_RUNS ?? 40);
const seed = Number(process.env.FUZZ_SEED ?? 20261130);
const parallel = Number(process.env.FUZZ_PARALLEL ?? 6);
const lenient = process.env.FUZZ_LENIENT !== '0';
const progress = Number(process.env.FUZZ_PROGRESS ?? 0);

it(`session invariants hold (seed ${seed}, ${runs} batches of up to ${parallel} sessions${lenient ? ', lenient whitespace' : ''})`, async () => {
  process.stdout.write(`session fuzzer: seed ${seed}, runs ${runs}, parallel ${parallel}, lenient ${lenient}\n`);
  const started = Date.now();
  let shown = 0;
  const { sessions } = await fuzz({
    runs, seed, parallel, lenient,
    onBatch: (n) => {
      if (progress > 0 && n - shown >= progress) {
        shown = n;
        process.stdout.write(`  ${n} sessions, ${Math.round((n * 1000) / (Date.now() - started))}/s, rss ${Math.round(process.memoryUsage().rss / 1048576)} MiB\n`);
      }
    },
  });
  process.stdout.write(`session fuzzer: ${sessions} sessions, no invariant broken (${Date.now() - started} ms)\n`);
  expect(sessions).toBeGreaterThanOrEqual(runs);
}, Number(process.env.FUZZ_TIMEOUT_MS ?? 120_000));
