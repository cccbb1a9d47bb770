// Runs the outbox page's testing sample (docs/outbox.md) as the test it is:
// the package by its public names (the built dist/), no database.
import '../../docs/examples/outbox/testing.spec.js';
