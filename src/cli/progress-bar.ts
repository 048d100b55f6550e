/** A one-line progress bar for terminals; silent when the output is not a terminal or the job is small. */
export function progressBar(stream: NodeJS.WriteStream, label: string, minTotal = 200) {
  let last = -1;
  return {
    update(done: number, total: number): void {
      if (!stream.isTTY || total < minTotal) return;
      const percent = Math.floor((done / total) * 100);
      if (percent === last && done !== total) return;
      last = percent;
      const width = 30;
      const filled = Math.round((done / total) * width);
      stream.write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent}% ${done}/${total}`);
      if (done === total) stream.write("\n");
    },
  };
}
