import { errors, types } from "cassandra-driver";
import { describe, expect, it } from "vitest";
import { permanentCassandraError } from "./cassandra-errors.ts";

const codes = types.responseErrorCodes;
const response = (code: number, message: string) => new errors.ResponseError(code, message);

describe("permanentCassandraError", () => {
  it.each([
    [codes.invalid, "unconfigured table users", /invalid request/],
    [codes.syntaxError, "line 1:0 no viable alternative", /syntax error/],
    [codes.unauthorized, "User x has no MODIFY permission", /unauthorized/],
    [codes.configError, "cannot alter", /configuration error/],
  ])("classifies response code %i as permanent", (code, message, kind) => {
    const reason = permanentCassandraError(response(code, message));
    expect(reason).toMatch(kind);
    expect(reason).toContain(message);
  });

  it.each([
    ["unavailable", response(codes.unavailableException, "Cannot achieve consistency level ONE")],
    ["overloaded", response(codes.overloaded, "overloaded")],
    ["bootstrapping", response(codes.isBootstrapping, "bootstrapping")],
    ["a write timeout", response(codes.writeTimeout, "Operation timed out")],
    ["a write failure", response(codes.writeFailure, "Operation failed")],
    ["a server error", response(codes.serverError, "java.lang.RuntimeException")],
    ["no host available", new errors.NoHostAvailableError({})],
    ["a client timeout", new errors.OperationTimedOutError("timed out", "127.0.0.1:9042")],
    [
      "a connection error",
      Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9042"), { code: "ECONNREFUSED" }),
    ],
  ])("lets %s be retried", (_, err) => {
    expect(permanentCassandraError(err)).toBeNull();
  });

  it("classifies the driver's refusal of the values as permanent, not any TypeError", () => {
    expect(permanentCassandraError(new errors.ArgumentError("Not a valid bigint"))).toMatch(/driver refused/);
    expect(
      permanentCassandraError(new TypeError("Not a valid text value, expected String obtained 3")),
    ).toMatch(/driver refused the values: Not a valid text value/);
    expect(permanentCassandraError(new TypeError("Cannot read properties of undefined"))).toBeNull();
  });
});
