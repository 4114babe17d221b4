package io.credence.rating;

/** A catalog that cannot be used; {@code path} names the element at fault (e.g. {@code rules[3].tariff}). */
public final class CatalogException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String path;

    public CatalogException(String path, String reason) {
        super(path + ": " + reason);
        this.path = path;
    }

    public String path() {
        return path;
    }
}
