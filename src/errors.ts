/**
 * Something the member should be told, in words they can act on. The reply path answers it ephemerally;
 * anything that is not a UserError is a bug and gets an apology with a reference id instead.
 */
export class UserError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly context: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = "UserError";
  }
}
