package io.credence.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One {@code /v1/market} request as the market routes read it, detached from Jetty so that a
 * node of a Raft group can send it to the leader (the one node that runs the marketplace) and
 * write the leader's reply as its own. Only what the routes read travels: method, path, body,
 * the device and base-station headers, the query and who the caller is.
 */
record MarketCall(String method, String[] path, String contentType, byte[] body, Map<String, String> headers,
                  Map<String, String> query, Caller caller) {
    /** The headers the market routes read. */
    private static final String[] HEADERS = {DeviceApi.DEVICE_TOKEN_HEADER, DeviceApi.BASE_STATION_ID_HEADER,
            DeviceApi.BASE_STATION_SECRET_HEADER};
    private static final byte FORMAT = 1;

    static MarketCall of(Request request, String method, String[] path) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String name : HEADERS) {
            String value = request.getHeaders().get(name);
            if (value != null) {
                headers.put(name, value);
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        Fields fields = Request.extractQueryParameters(request);
        for (Fields.Field field : fields) {
            query.put(field.getName(), field.getValue());
        }
        byte[] body = method.equals("GET") || method.equals("HEAD") ? new byte[0] : RequestInputs.bodyBytes(request);
        return new MarketCall(method, path, request.getHeaders().get(HttpHeader.CONTENT_TYPE), body, headers, query,
                Caller.of(request));
    }

    JsonBody json() {
        return RequestInputs.jsonBody(contentType, body);
    }

    /** A bounded long query parameter, as {@link RequestInputs#queryLong} reads one. */
    long queryLong(String name, long fallback) {
        String value = query.get(name);
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException notANumber) {
            // falls through to the problem below
        }
        throw new ApiError(name, "query parameter must be an integer between 0 and " + Long.MAX_VALUE);
    }

    byte[] encode() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + body.length);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeUTF(method);
            out.writeInt(path.length);
            for (String segment : path) {
                out.writeUTF(segment);
            }
            writeNullable(out, contentType);
            out.writeInt(body.length);
            out.write(body);
            writeMap(out, headers);
            writeMap(out, query);
            writeNullable(out, caller.role() == null ? null : caller.role().name());
            writeNullable(out, caller.keyName());
            writeNullable(out, caller.principal() == null ? null : caller.principal().kind().name());
            writeNullable(out, caller.principal() == null ? null : caller.principal().id());
            return bytes.toByteArray();
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    static MarketCall decode(byte[] encoded) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
            if (in.readByte() != FORMAT) {
                throw new IllegalArgumentException("a forwarded market call of another format");
            }
            String method = in.readUTF();
            String[] path = new String[in.readInt()];
            for (int i = 0; i < path.length; i++) {
                path[i] = in.readUTF();
            }
            String contentType = readNullable(in);
            byte[] body = in.readNBytes(in.readInt());
            Map<String, String> headers = readMap(in);
            Map<String, String> query = readMap(in);
            String role = readNullable(in);
            String keyName = readNullable(in);
            String kind = readNullable(in);
            String id = readNullable(in);
            Caller caller = new Caller(role == null ? null : Role.valueOf(role), keyName,
                    kind == null ? null : new ApiKeys.Principal(ApiKeys.Principal.Kind.valueOf(kind), id));
            return new MarketCall(method, path, contentType, body, headers, query, caller);
        } catch (IOException truncated) {
            throw new IllegalArgumentException("a forwarded market call that does not read back: " + truncated);
        }
    }

    /** A reply as the leader sends it back: status, content type, headers and the body's bytes. */
    static byte[] encodeReply(Reply reply) {
        try {
            byte[] body = reply.body() instanceof byte[] raw ? raw : JsonBody.MAPPER.writeValueAsBytes(reply.body());
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64 + body.length);
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(FORMAT);
            out.writeShort(reply.status());
            out.writeUTF(reply.contentType());
            writeMap(out, reply.headers());
            out.writeInt(body.length);
            out.write(body);
            return bytes.toByteArray();
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException("maps of plain values always serialise", impossible);
        } catch (IOException impossible) {
            throw new UncheckedIOException(impossible);
        }
    }

    static Reply decodeReply(byte[] encoded) {
        try {
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(encoded));
            if (in.readByte() != FORMAT) {
                throw new IllegalArgumentException("a market reply of another format");
            }
            int status = in.readShort();
            String contentType = in.readUTF();
            Map<String, String> headers = readMap(in);
            byte[] body = in.readNBytes(in.readInt());
            return new Reply(status, contentType, body, headers);
        } catch (IOException truncated) {
            throw new IllegalArgumentException("a market reply that does not read back: " + truncated);
        }
    }

    private static void writeNullable(DataOutputStream out, String value) throws IOException {
        out.writeBoolean(value != null);
        if (value != null) {
            out.writeUTF(value);
        }
    }

    private static String readNullable(DataInputStream in) throws IOException {
        return in.readBoolean() ? in.readUTF() : null;
    }

    private static void writeMap(DataOutputStream out, Map<String, String> map) throws IOException {
        out.writeInt(map.size());
        for (Map.Entry<String, String> e : map.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeUTF(e.getValue());
        }
    }

    private static Map<String, String> readMap(DataInputStream in) throws IOException {
        int size = in.readInt();
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            map.put(in.readUTF(), in.readUTF());
        }
        return map;
    }
}
