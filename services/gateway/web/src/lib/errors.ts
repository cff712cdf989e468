import { ApiError } from "@/api/problems";
import type { Messages } from "@/i18n";

/** A sentence for a toast: our words for the problems we know, else the server's own detail. */
export function describeError(error: unknown, m: Messages): string {
  if (!(error instanceof ApiError)) return m.problems.generic;
  const { status, problem } = error;
  if (status === 0) return m.problems.network;
  if (status === 401 && problem.title === "Invalid credentials") return m.problems.invalidCredentials;
  if (status === 409 && problem.title === "Email already registered") return m.problems.emailTaken;
  if (status === 409 && problem.title === "Already registered") return m.problems.numberTaken;
  if (status === 429) {
    const seconds = Number((problem as { retry_after_s?: number }).retry_after_s ?? 0);
    return seconds > 0 ? m.problems.tooMany(seconds) : problem.detail || m.problems.generic;
  }
  return problem.detail || problem.title || m.problems.generic;
}
