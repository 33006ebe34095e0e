/**
 * The quick mode of the benchmarks (`npm run bench -- --quick`, run by CI): every benchmark runs
 * once at small sizes, so a benchmark that no longer runs fails CI. The figures in docs and notes
 * come from full runs: at quick sizes, on a shared machine, timings measure nothing stable, so a
 * missed timing goal is reported and fails only a full run. Request counts are exact at any size
 * and fail either way.
 */
export const QUICK = process.env.AIGATE_BENCH_QUICK === "1";

/** `full` in a full run, `quick` in the quick mode. */
export function sized(full: number, quick: number): number {
  return QUICK ? quick : full;
}

/** Reports a timing goal's outcome; a miss fails a full run only. */
export function timingGoal(met: boolean): void {
  if (!met && !QUICK) process.exitCode = 1;
  if (!met && QUICK) console.log("(quick mode: timing goals are judged in full runs only)");
}
