// A node:test reporter that prints nothing but one closing line
// "N passed, N failed" (what tests/summary.py reads), counting test cases,
// not suites.  A suite that failed on its own (a failing before/after hook)
// counts as one more failure.  Used beside the spec reporter:
//   node --test --test-reporter=spec --test-reporter-destination=stdout \
//        --test-reporter=./summary-reporter.mjs --test-reporter-destination=stdout
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  for await (const event of source) {
    const d = event.data || {};
    const suite = d.details && d.details.type === 'suite';
    if (event.type === 'test:pass' && !suite && !d.skip && !d.todo) {
      passed++;
    } else if (event.type === 'test:fail') {
      const why = d.details && d.details.error && d.details.error.failureType;
      if (!suite || why !== 'subtestsFailed') failed++;
    }
  }
  yield `${passed} passed, ${failed} failed\n`;
}
