// node:test reporter that prints one closing line, "N passed, N failed" (what CI reads), plus the
// name and error of every failing test. Suites are not counted, only tests.
export default async function* summaryReporter(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    if (event.type !== "test:pass" && event.type !== "test:fail") continue;
    const details = event.data.details ?? {};
    if (details.type === "suite") continue;
    if (event.type === "test:pass") {
      if (event.data.skip || event.data.todo) skipped++;
      else passed++;
    } else {
      failed++;
      const err = details.error;
      yield `FAILED: ${event.data.name} (${event.data.file ?? ""})\n  ${String(err?.cause ?? err?.message ?? err).split("\n").join("\n  ")}\n`;
    }
  }
  yield `${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}\n`;
}
