// Runs the testing page's samples (docs/testing.md, and the scheduling page's harness test) as the tests they are, so
// that what they show is checked, not only compiled. They import the package
// by its public names, which resolve to the built dist/ here, as in an app.
import '../../docs/examples/testing/swap-app.spec.js';
import '../../docs/examples/testing/module-under-test.spec.js';
import '../../docs/examples/testing/retries.spec.js';
import '../../docs/examples/scheduling/daily-report.spec.js';
