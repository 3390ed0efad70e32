/** pullsim's exit codes (DESIGN §8). */
export const EXIT_OK = 0;
/** A bug in pullsim. */
export const EXIT_INTERNAL = 1;
/** A usage or scenario error, printed as a message with a hint. */
export const EXIT_USAGE = 2;
/** A threshold failed (k6's code). */
export const EXIT_THRESHOLDS = 99;
