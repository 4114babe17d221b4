package io.credence.http;

/**
 * A request the edge answers with a problem document instead of a ledger outcome: malformed
 * input (400), or a ledger that cannot take it now (busy, too large, stopped).
 * Carries the field at fault so the problem document can name it. Thrown only while parsing and
 * caught in one place ({@link ProvisioningApi#handle}); nothing has changed when it is thrown.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String type;
    final String field;

    ApiError(String field, String detail) {
        this(400, "invalid-field", field, detail);
    }

    ApiError(int status, String type, String field, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.type = type;
        this.field = field;
    }
}
