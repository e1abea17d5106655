/** Kill and resume every app's smoke tier: the second of two shards (test/kill-resume-suite.ts). */
import { killResumeSuite } from './kill-resume-suite.js';

killResumeSuite(1, 2);
