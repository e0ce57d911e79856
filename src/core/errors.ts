/**
 * One error type for the whole product, with a stable `code`.
 *
 * The table below maps each code to its kind (a user mistake or an internal fault), the HTTP
 * status the API answers with and the exit code the CLI ends with. Surfaces map errors once:
 * the CLI prints one line and exits non-zero; the API hides internal errors behind a generic 500.
 *
 * @example
 * throw new JointlyError('INPUT_NOT_FOUND', `No such file: ${path}. Check the path and try again.`);
 */
export const ERROR_CODES = {
  BAD_ARGUMENT: { kind: 'user', http: 400, exit: 2 },
  BAD_CONFIG: { kind: 'user', http: 400, exit: 78 },
  INPUT_NOT_FOUND: { kind: 'user', http: 404, exit: 66 },
  INPUT_UNREADABLE: { kind: 'user', http: 422, exit: 65 },
  UNKNOWN_TABLE: { kind: 'user', http: 422, exit: 65 },
  NOT_FOUND: { kind: 'user', http: 404, exit: 66 },
  NO_DATA: { kind: 'user', http: 404, exit: 66 },
  UNAUTHENTICATED: { kind: 'user', http: 401, exit: 77 },
  FORBIDDEN: { kind: 'user', http: 403, exit: 77 },
  CONFLICT: { kind: 'user', http: 409, exit: 75 },
  DB_LOCKED: { kind: 'user', http: 503, exit: 75 },
  INVARIANT_BROKEN: { kind: 'internal', http: 500, exit: 70 },
  INTERNAL: { kind: 'internal', http: 500, exit: 70 },
} as const satisfies Record<string, { kind: 'user' | 'internal'; http: number; exit: number }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class JointlyError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; details?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'JointlyError';
    this.code = code;
    this.details = options.details;
  }

  get kind(): 'user' | 'internal' {
    return ERROR_CODES[this.code].kind;
  }

  get httpStatus(): number {
    return ERROR_CODES[this.code].http;
  }

  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
}

export function isJointlyError(error: unknown): error is JointlyError {
  return error instanceof JointlyError;
}

/** The message of any thrown value, for wrapping into a JointlyError's cause text. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
