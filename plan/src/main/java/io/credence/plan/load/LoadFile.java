package io.credence.plan.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.credence.admission.Layer;
import io.credence.admission.QosParameter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads a load description (YAML, or JSON which is YAML too):
 *
 * <pre>
 * maintenancePeriodSeconds: 10
 * classes:
 *   - name: video
 *     layer: bearer
 *     arrivalsPerSecond: 0.5
 *     meanHoldingSeconds: 120
 *     qos: {bandwidthKbps: 2000, latencyClass: 5, dataVolumeBytes: 100000000}
 *     pricePerSession: 50      # minor units, optional
 *     pricePerMinute: 2        # minor units, optional
 *     abandonFraction: 0.0     # optional
 * </pre>
 *
 * Strict: an unknown field, a missing one or a value out of bounds is a {@link LoadException}
 * naming it ({@code classes[1].qos.bandwidthKbps}); the file may not exceed {@link #BYTES_MAX}.
 */
public final class LoadFile {
    public static final long BYTES_MAX = 1L << 20;
    public static final int CLASSES_MAX = 64;
    static final double RATE_MAX = 1e6;
    static final double HOLDING_MAX = 1e7;
    static final double MAINTENANCE_DEFAULT = 10;

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private LoadFile() {}

    public static Load read(Path file) throws IOException, LoadException {
        long size = Files.size(file);
        if (size > BYTES_MAX) {
            throw new LoadException(file.toString(), "is " + size + " bytes, more than " + BYTES_MAX);
        }
        return parse(Files.readString(file));
    }

    public static Load parse(String text) throws LoadException {
        JsonNode root;
        try {
            root = YAML.readTree(text);
        } catch (JacksonException bad) {
            throw new LoadException("load", "is not YAML: " + bad.getOriginalMessage()
                    + (bad.getLocation() == null ? "" : " at line " + bad.getLocation().getLineNr()));
        }
        object(root, "load");
        only(root, "load", Set.of("maintenancePeriodSeconds", "classes"));
        double maintenance = root.has("maintenancePeriodSeconds")
                ? positive(root, "maintenancePeriodSeconds", "maintenancePeriodSeconds", HOLDING_MAX) : MAINTENANCE_DEFAULT;
        JsonNode list = root.get("classes");
        if (list == null || !list.isArray() || list.isEmpty()) {
            throw new LoadException("classes", "must be a list of 1.." + CLASSES_MAX + " service classes");
        }
        if (list.size() > CLASSES_MAX) {
            throw new LoadException("classes", "has " + list.size() + " classes, at most " + CLASSES_MAX);
        }
        List<ServiceClass> classes = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < list.size(); i++) {
            ServiceClass c = serviceClass(list.get(i), "classes[" + i + "]");
            if (!names.add(c.name())) {
                throw new LoadException("classes[" + i + "].name", "'" + c.name() + "' is used by an earlier class");
            }
            classes.add(c);
        }
        return new Load(maintenance, classes);
    }

    private static ServiceClass serviceClass(JsonNode node, String at) throws LoadException {
        object(node, at);
        only(node, at, Set.of("name", "layer", "arrivalsPerSecond", "meanHoldingSeconds", "qos", "pricePerSession",
                "pricePerMinute", "abandonFraction"));
        String name = text(node, "name", at);
        if (!name.matches("[A-Za-z0-9._-]{1,40}")) {
            throw new LoadException(at + ".name", "must be 1..40 letters, digits and - _ ., was '" + name + "'");
        }
        String layerName = text(node, "layer", at);
        Layer layer = Layer.ofJsonName(layerName).orElseThrow(() -> new LoadException(at + ".layer",
                "is not a layer; one of " + Arrays.stream(Layer.values()).map(Layer::jsonName).toList()));
        double rate = positive(node, "arrivalsPerSecond", at + ".arrivalsPerSecond", RATE_MAX);
        double holding = positive(node, "meanHoldingSeconds", at + ".meanHoldingSeconds", HOLDING_MAX);
        JsonNode qosNode = node.get("qos");
        object(qosNode, at + ".qos");
        Map<QosParameter, Long> qos = new EnumMap<>(QosParameter.class);
        for (Iterator<String> it = qosNode.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            String here = at + ".qos." + field;
            QosParameter parameter = QosParameter.ofJsonName(field).orElseThrow(() -> new LoadException(here,
                    "is not a QoS parameter; one of " + Arrays.stream(QosParameter.values())
                            .map(QosParameter::jsonName).toList()));
            qos.put(parameter, whole(qosNode.get(field), here, parameter.valueMin(), parameter.valueMax()));
        }
        long perSession = node.has("pricePerSession")
                ? whole(node.get("pricePerSession"), at + ".pricePerSession", 0, 1_000_000_000_000L) : 0;
        long perMinute = node.has("pricePerMinute")
                ? whole(node.get("pricePerMinute"), at + ".pricePerMinute", 0, 1_000_000_000_000L) : 0;
        double abandon = 0;
        if (node.has("abandonFraction")) {
            JsonNode v = node.get("abandonFraction");
            if (!v.isNumber() || v.asDouble() < 0 || v.asDouble() >= 1) {
                throw new LoadException(at + ".abandonFraction", "must be a number in [0, 1), was " + v);
            }
            abandon = v.asDouble();
        }
        return new ServiceClass(name, layer, rate, holding, qos, perSession, perMinute, abandon);
    }

    private static void object(JsonNode node, String at) throws LoadException {
        if (node == null || !node.isObject()) {
            throw new LoadException(at, "must be a mapping");
        }
    }

    private static void only(JsonNode node, String at, Set<String> known) throws LoadException {
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!known.contains(name)) {
                throw new LoadException(at.equals("load") ? name : at + "." + name,
                        "is not a known field; one of " + known.stream().sorted().toList());
            }
        }
    }

    private static String text(JsonNode node, String field, String at) throws LoadException {
        JsonNode v = node.get(field);
        if (v == null || !v.isTextual()) {
            throw new LoadException(at + "." + field, "is required (text)");
        }
        return v.asText();
    }

    private static double positive(JsonNode node, String field, String at, double max) throws LoadException {
        JsonNode v = node.get(field);
        if (v == null || !v.isNumber() || !(v.asDouble() > 0) || v.asDouble() > max) {
            throw new LoadException(at, "must be a number in (0, " + (long) max + "], was " + (v == null ? "missing" : v));
        }
        return v.asDouble();
    }

    private static long whole(JsonNode v, String at, long min, long max) throws LoadException {
        if (v == null || !v.canConvertToExactIntegral() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw new LoadException(at, "must be a whole number " + min + ".." + max + ", was " + v);
        }
        return v.asLong();
    }
}
