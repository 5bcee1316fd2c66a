"""The test suite: a package, so shared steps are imported by their full name
(tests.e2e.<feature>.steps, tests.helpers.*)."""
