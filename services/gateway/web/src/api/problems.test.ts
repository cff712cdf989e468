import { describe, expect, it } from "vitest";
import { ApiError, problemToForm, toApiError } from "./problems";

const fields = ["phone_number_id", "waba_id", "access_token", "app_secret"] as const;

describe("problemToForm", () => {
  it("puts each 422 message under its field", () => {
    const error = toApiError(
      {
        title: "Invalid request",
        status: 422,
        detail: "phone_number_id: String should match pattern; access_token: too short",
        errors: [
          { field: "phone_number_id", message: "String should match pattern '^\\d+$'" },
          { field: "access_token", message: "String should have at least 8 characters" },
          { field: "phone_number_id", message: "a second complaint" },
        ],
      },
      422,
    );
    expect(problemToForm(error, fields)).toEqual({
      fields: {
        phone_number_id: "String should match pattern '^\\d+$'",
        access_token: "String should have at least 8 characters",
      },
      toast: null,
    });
  });

  it("sends messages for fields the form does not have to the toast", () => {
    const error = new ApiError(422, {
      title: "Invalid request",
      errors: [
        { field: "waba_id", message: "bad" },
        { field: "extra", message: "Extra inputs are not permitted" },
        { field: "body", message: "JSON decode error" },
      ],
    });
    expect(problemToForm(error, fields)).toEqual({
      fields: { waba_id: "bad" },
      toast: "extra: Extra inputs are not permitted; JSON decode error",
    });
  });

  it("maps nested locations to the top field", () => {
    const error = new ApiError(422, { errors: [{ field: "body.app_secret.0", message: "nope" }] });
    expect(problemToForm(error, fields).fields).toEqual({ app_secret: "nope" });
  });

  it("uses a 409's named field", () => {
    const error = new ApiError(409, { title: "Email already registered", detail: "sign in instead", field: "email" });
    expect(problemToForm(error, ["email", "password"] as const)).toEqual({
      fields: { email: "sign in instead" },
      toast: null,
    });
  });

  it("shows the server's detail for anything else", () => {
    const error = toApiError({ title: "Meta rejected the token", status: 400, detail: "Graph answered 401" }, 400);
    expect(problemToForm(error, fields)).toEqual({ fields: {}, toast: "Graph answered 401" });
    expect(problemToForm(new ApiError(502, { title: "Meta unreachable" }), fields).toast).toBe("Meta unreachable");
  });
});

describe("toApiError", () => {
  it("keeps the status and the problem", () => {
    const error = toApiError({ type: "about:blank", title: "Not found", status: 404, detail: "no such conversation" }, 404);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(404);
    expect(error.message).toBe("no such conversation");
  });

  it("reads FastAPI's default validation shape", () => {
    const error = toApiError({ detail: [{ loc: ["body", "waba_id"], msg: "Field required" }] }, 422);
    expect(error.problem.errors).toEqual([{ field: "waba_id", message: "Field required" }]);
  });

  it("wraps network failures and plain text", () => {
    expect(toApiError(new TypeError("Failed to fetch"), 0).problem.detail).toBe("Failed to fetch");
    expect(toApiError("Bad Gateway", 502).problem.detail).toBe("Bad Gateway");
  });
});
