/** Kill and resume every app's smoke tier (test/kill-resume-suite.ts), in one file. */
import { killResumeSuite } from './kill-resume-suite.js';

killResumeSuite(0, 1);
