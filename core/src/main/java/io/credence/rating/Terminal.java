package io.credence.rating;

/**
 * The attributes of one end of a call that policies match on. Any of them may be unknown (null):
 * a rule that constrains an unknown attribute does not match.
 */
public record Terminal(NetworkType network, TerminalType type, Boolean roaming) {
    public static final Terminal UNKNOWN = new Terminal(null, null, null);
}
