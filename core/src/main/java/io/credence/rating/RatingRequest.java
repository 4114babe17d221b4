package io.credence.rating;

/**
 * What is to be rated: the service (a name from the catalog, e.g. "voice"), both ends of the call
 * (the called end may still be unknown before it answers), the outlet the call leaves by (an
 * outgoing trunk group, or null), and when it starts (epoch milliseconds).
 */
public record RatingRequest(String service, Terminal calling, Terminal called, String outlet, long atMillis) {
    public RatingRequest {
        if (service == null) {
            throw new IllegalArgumentException("service is required");
        }
        calling = calling == null ? Terminal.UNKNOWN : calling;
        called = called == null ? Terminal.UNKNOWN : called;
    }
}
