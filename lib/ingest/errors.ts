/** Errors of the ingest protocol, each with its wire code and WebSocket close code. */

import { CloseCode } from "./wire.ts";

export { CloseCode };

/** An ingest failure. `fatal` ones end the socket with `closeCode`. */
export class IngestError extends Error {
  override name = "IngestError";
  constructor(
    readonly code: string,
    message: string,
    readonly closeCode: number,
    readonly fatal = true,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** HTTP status for the same error in the PUT/finish fallback. */
  get httpStatus(): number {
    if (!this.fatal) return 409;
    switch (this.closeCode) {
      case CloseCode.token:
        return 401;
      case CloseCode.notFound:
        return 404;
      case CloseCode.finished:
        return 409;
      case CloseCode.tooLarge:
        return 413;
      case CloseCode.storage:
        return 503;
      default:
        return 400;
    }
  }

  /** The JSON message sent to the client. */
  toMessage(): Record<string, unknown> {
    return { type: "error", code: this.code, message: this.message, ...this.extra };
  }
}

/** Convenience constructors for the protocol's errors. */
export const ingestErrors = {
  protocol: (message: string) => new IngestError("protocol", message, CloseCode.protocol),
  token: () => new IngestError("token", "the upload token is wrong", CloseCode.token),
  notFound: (message = "no such video") =>
    new IngestError("not_found", message, CloseCode.notFound),
  finished: (status: string) =>
    new IngestError("finished", `the recording is already ${status}`, CloseCode.finished),
  tooLarge: (message: string) => new IngestError("too_large", message, CloseCode.tooLarge),
  gap: (expected: number) =>
    new IngestError("gap", `expected chunk ${expected}`, CloseCode.protocol, false, { expected }),
  storage: (err: unknown) =>
    new IngestError(
      "storage",
      `storage failed (${err instanceof Error ? err.message : String(err)}): reconnect and resend`,
      CloseCode.storage,
    ),
};
