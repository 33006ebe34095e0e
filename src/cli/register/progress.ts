import { SingleBar } from "cli-progress";

/** Progress of a long run on standard error: a bar on a terminal, plain lines otherwise. */
export interface Progress {
  start(total: number, what: string): void;
  step(label: string, outcome: string): void;
  stop(): void;
}

export function createProgress(stderr: (text: string) => void, terminal: boolean): Progress {
  if (terminal) {
    const bar = new SingleBar({
      format: "aigate: {what} [{bar}] {value}/{total} {label}",
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: true,
    });
    return {
      start: (total, what) => bar.start(total, 0, { what, label: "" }),
      step: (label) => bar.increment(1, { label }),
      stop: () => bar.stop(),
    };
  }
  let done = 0;
  let total = 0;
  return {
    start: (n, what) => {
      total = n;
      done = 0;
      stderr(`aigate: ${what}: ${n} repository(ies)\n`);
    },
    step: (label, outcome) => {
      done++;
      stderr(`aigate: [${done}/${total}] ${label}: ${outcome}\n`);
    },
    stop: () => {},
  };
}
