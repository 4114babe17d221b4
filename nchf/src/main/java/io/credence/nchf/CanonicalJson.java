package io.credence.nchf;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body's identity, for telling a resent request from a new one: SHA-256 over the body
 * with object members sorted by name and numbers written one way ({@code 1.0} and {@code 1} alike),
 * and without {@code retransmissionIndicator} (a resend is allowed to add it). Two bodies that say
 * the same thing in another member order or spacing have the same digest; any other difference,
 * even a new invocationTimeStamp, makes another digest.
 */
final class CanonicalJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.withExactBigDecimals(true);

    private CanonicalJson() {}

    static byte[] digest(ObjectNode body) {
        ObjectNode copy = body.deepCopy();
        copy.remove("retransmissionIndicator");
        try {
            return MessageDigest.getInstance("SHA-256").digest(RequestReader.MAPPER.writeValueAsBytes(canonical(copy)));
        } catch (NoSuchAlgorithmException | JsonProcessingException impossible) {
            throw new IllegalStateException("SHA-256 and a parsed tree always work", impossible);
        }
    }

    private static JsonNode canonical(JsonNode node) {
        if (node instanceof ObjectNode object) {
            List<String> names = new ArrayList<>(object.size());
            object.fieldNames().forEachRemaining(names::add);
            names.sort(null);
            ObjectNode out = NODES.objectNode();
            for (String name : names) {
                out.set(name, canonical(object.get(name)));
            }
            return out;
        }
        if (node instanceof ArrayNode array) {
            ArrayNode out = NODES.arrayNode(array.size());
            for (JsonNode item : array) {
                out.add(canonical(item));
            }
            return out;
        }
        if (node.isNumber()) {
            BigDecimal value = node.decimalValue().stripTrailingZeros();
            // 1, 1.0 and 1e0 are one number: an integral value as an integer, the rest in plain digits
            return value.scale() <= 0 ? NODES.numberNode(value.toBigIntegerExact()) : NODES.numberNode(value);
        }
        return node;
    }
}
