import { installTestClock } from './clock';

// Vitest setup file (unit and e2e projects): the tests' clock, see tests/support/clock.ts.
installTestClock();
