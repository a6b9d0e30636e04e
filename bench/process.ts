/** Child-process measurements shared by the benchmark scenarios. */
import { readFileSync } from "node:fs";

/** Peak RSS of a child, sampled from /proc (VmHWM is the kernel's own high-water mark). */
export function watchPeakRss(pid: number): () => number {
  let peakKb = 0;
  const read = () => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
      if (m) peakKb = Math.max(peakKb, Number(m[1]));
    } catch {
      // the process has exited; keep the last reading
    }
  };
  const timer = setInterval(read, 25);
  return () => {
    clearInterval(timer);
    read();
    return Math.round(peakKb / 1024);
  };
}
