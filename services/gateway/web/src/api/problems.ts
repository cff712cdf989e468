/** RFC 9457 problem details as every Master IA service answers errors. */
export interface FieldProblem {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  instance?: string;
  /** 422: one entry per invalid field. */
  errors?: FieldProblem[];
  /** Some 409s name the one field at fault (e.g. a duplicate email). */
  field?: string;
  /** A machine-readable cause (sending: window_closed, opted_out, invalid_content). */
  reason?: string;
  /** A 409 on a duplicate names the record that already exists. */
  existing_id?: string;
}

/** An API call that failed: the HTTP status (0 when the network failed) and the problem body. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: Problem;

  constructor(status: number, problem: Problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whatever the client got (problem JSON, plain text, a network exception) as an ApiError. */
export function toApiError(error: unknown, status: number): ApiError {
  if (error instanceof ApiError) return error;
  if (isObject(error) && (typeof error.title === "string" || typeof error.detail === "string")) {
    const errors = Array.isArray(error.errors)
      ? error.errors.filter(isObject).map((e) => ({ field: String(e.field ?? ""), message: String(e.message ?? "") }))
      : undefined;
    return new ApiError(status, {
      ...(error as Problem),
      errors,
      status: typeof error.status === "number" ? error.status : status,
    });
  }
  if (isObject(error) && Array.isArray(error.detail)) {
    // FastAPI's default validation shape, should a service answer it: {detail: [{loc, msg}]}.
    const errors = error.detail.filter(isObject).map((e) => ({
      field: (Array.isArray(e.loc) ? e.loc : [])
        .map(String)
        .filter((p) => p !== "body" && p !== "query" && p !== "path")
        .join("."),
      message: String(e.msg ?? ""),
    }));
    return new ApiError(status, { title: "Invalid request", status, errors });
  }
  if (error instanceof Error) return new ApiError(status, { title: error.name, detail: error.message, status });
  if (typeof error === "string" && error.trim()) return new ApiError(status, { title: `HTTP ${status}`, detail: error.slice(0, 300), status });
  return new ApiError(status, { title: `HTTP ${status}`, status });
}

export interface FormProblem<F extends string> {
  /** A message under each form field the server named. */
  fields: Partial<Record<F, string>>;
  /** What no field can show (the server's detail, or messages for fields the form does not have): a toast. */
  toast: string | null;
}

/**
 * Maps an API error onto a form: 422 `errors[{field, message}]` (and a 409's `field`) go under their field;
 * whatever is left becomes one toast with the server's detail.
 */
export function problemToForm<F extends string>(error: unknown, formFields: readonly F[]): FormProblem<F> {
  const apiError = error instanceof ApiError ? error : toApiError(error, 0);
  const { problem } = apiError;
  const known = new Set<string>(formFields);
  const fields: Partial<Record<F, string>> = {};
  const leftovers: string[] = [];
  for (const { field, message } of problem.errors ?? []) {
    const name = field.replace(/^body\./, "");
    const top = name.split(".")[0] ?? name;
    if (known.has(top)) {
      if (!fields[top as F]) fields[top as F] = message;
    } else {
      leftovers.push(name && name !== "body" ? `${name}: ${message}` : message);
    }
  }
  if (problem.field && known.has(problem.field) && !fields[problem.field as F]) {
    fields[problem.field as F] = problem.detail || problem.title || apiError.message;
    return { fields, toast: leftovers.length ? leftovers.join("; ") : null };
  }
  const mapped = Object.keys(fields).length > 0;
  if (leftovers.length) return { fields, toast: leftovers.join("; ") };
  if (mapped) return { fields, toast: null };
  return { fields, toast: problem.detail || problem.title || apiError.message };
}
