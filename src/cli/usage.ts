/** A usage mistake on the command line: printed as one message with a pointer to --help, exit 2. */
export class UsageError extends Error {}
