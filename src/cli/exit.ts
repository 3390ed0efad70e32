/** pullsim's exit codes (DESIGN §8). */
export const EXIT_OK = 0;
/** A bug in pullsim. */
export const EXIT_INTERNAL = 1;
/** A usage or scenario error, printed as a message with a hint. */
export const EXIT_USAGE = 2;
/** A threshold failed (k6's code). */
export const EXIT_THRESHOLDS = 99;
/** Stopped by Ctrl-C: 128 + SIGINT's number, as a shell reports a process killed by it. */
export const EXIT_SIGINT = 130;
/** Stopped by SIGTERM (128 + 15). */
export const EXIT_SIGTERM = 143;
