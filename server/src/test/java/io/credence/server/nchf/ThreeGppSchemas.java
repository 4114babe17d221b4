package io.credence.server.nchf;

import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SchemaRegistryConfig;
import com.networknt.schema.dialect.Dialects;
import com.networknt.schema.path.PathType;
import com.networknt.schema.resource.ResourceLoader;
import io.credence.testkit.SharedTestData;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Checks bodies against the normative 3GPP Rel-17 OpenAPI: TS 32.291 V17.9.0 (Nchf_ConvergedCharging
 * 3.1.6) for the charging API and its notifications, TS 29.510 (Nnrf_NFManagement 1.2.6,
 * Nnrf_AccessToken) for what the CHF sends its NRF and the tokens it accepts, and the files they
 * reference ({@code TS29571_CommonData.yaml} and others, resolved across files by their relative
 * {@code $ref}), read where the workplace keeps them: {@code ../shared/testdata/3gpp/rel17} beside
 * the repository. They are not copied into the project.
 *
 * <p>The schemas are OpenAPI 3.0 ({@code nullable}, Draft 4 {@code exclusiveMinimum}), so the
 * validator runs the OpenAPI 3.0 dialect; formats ({@code date-time}, {@code uuid}, ...) are
 * asserted, not just annotated, so a malformed time stamp fails as a peer's strict validator would.
 *
 * <p>When {@code ../shared/testdata/3gpp} is absent (a fresh clone), {@link #get()} aborts the
 * calling test through a JUnit assumption, so it is reported skipped with the reason instead of
 * passing unchecked.
 */
final class ThreeGppSchemas {
    static final String CHARGING_DATA_REQUEST = "ChargingDataRequest";
    static final String CHARGING_DATA_RESPONSE = "ChargingDataResponse";
    /** TS 29.571 ProblemDetails, the body of every application/problem+json answer. */
    static final String PROBLEM_DETAILS = "ProblemDetails";
    static final String CHARGING_NOTIFY_REQUEST = "ChargingNotifyRequest";
    /** TS 29.510: what a CHF registers at the NRF. */
    static final String NF_PROFILE = "NFProfile";
    /** TS 29.571: one operation of a JSON patch document (RFC 6902), as NFUpdate sends them. */
    static final String PATCH_ITEM = "PatchItem";
    /** TS 29.510: the claims of an NRF's access token. */
    static final String ACCESS_TOKEN_CLAIMS = "AccessTokenClaims";

    /** Where they are under {@code ../shared/testdata/}. */
    static final String DATA = "3gpp/rel17";
    private static final String NCHF_FILE = "TS32291_Nchf_ConvergedCharging.yaml";
    private static final String COMMON_FILE = "TS29571_CommonData.yaml";
    /** Which file defines each schema the tests validate against. */
    private static final String NFM_FILE = "TS29510_Nnrf_NFManagement.yaml";
    private static final String ACCESS_TOKEN_FILE = "TS29510_Nnrf_AccessToken.yaml";
    private static final Map<String, String> FILES = Map.of(CHARGING_DATA_REQUEST, NCHF_FILE,
            CHARGING_DATA_RESPONSE, NCHF_FILE, "MultipleUnitInformation", NCHF_FILE, PROBLEM_DETAILS, COMMON_FILE,
            CHARGING_NOTIFY_REQUEST, NCHF_FILE, NF_PROFILE, NFM_FILE, PATCH_ITEM, COMMON_FILE,
            ACCESS_TOKEN_CLAIMS, ACCESS_TOKEN_FILE);

    private static volatile ThreeGppSchemas loaded;

    private final Path dir;
    private final SchemaRegistry registry;
    private final Map<String, Schema> schemas = new ConcurrentHashMap<>();

    private ThreeGppSchemas(Path dir) {
        this.dir = dir;
        // JSON paths ($.multipleUnitUsage[0].ratingGroup) in messages: the notation the problem bodies use too
        SchemaRegistryConfig config = SchemaRegistryConfig.builder().pathType(PathType.JSON_PATH)
                .formatAssertionsEnabled(true).build();
        // files of that directory only: the library fetches nothing over the network unless told to, and
        // a $ref leading anywhere else is a broken reference, to fail rather than be looked for
        ResourceLoader local = iri -> {
            Path file = localFile(iri.toString());
            return file == null ? null : () -> Files.newInputStream(file);
        };
        this.registry = SchemaRegistry.withDialect(Dialects.getOpenApi30(), b -> b.schemaRegistryConfig(config)
                .resourceLoaders(loaders -> loaders.values(list -> list.add(local))));
    }

    private Path localFile(String iri) {
        if (!iri.startsWith("file:")) {
            return null;
        }
        Path file = Path.of(URI.create(iri)).normalize();
        return file.startsWith(dir) && Files.isRegularFile(file) ? file : null;
    }

    /** The schemas, loaded once per test JVM; skips the calling test when they are absent. */
    static ThreeGppSchemas get() {
        Path dir = rel17().orElse(null);
        assumeTrue(dir != null, () -> SharedTestData.absence(DATA));
        ThreeGppSchemas here = loaded;
        if (here == null) {
            synchronized (ThreeGppSchemas.class) {
                if (loaded == null) {
                    loaded = new ThreeGppSchemas(dir);
                }
                here = loaded;
            }
        }
        return here;
    }

    /** {@code ../shared/testdata/3gpp/rel17} beside the repository, if it is there. */
    static Optional<Path> rel17() {
        return SharedTestData.directory(DATA);
    }

    /** What is wrong with {@code json} as the named schema: one line per error; empty when it is valid. */
    List<String> violations(String schemaName, String json) {
        List<Error> errors = schema(schemaName).validate(json, InputFormat.JSON);
        return errors.stream().map(e -> e.getInstanceLocation() + ": " + e.getMessage() + " [" + e.getKeyword() + "]")
                .toList();
    }

    /** Fails the test, listing every error, unless {@code json} is a valid instance of the named schema. */
    void assertValid(String schemaName, String json) {
        assertThat(violations(schemaName, json)).as("%s against 3GPP Rel-17 %s", json, schemaName).isEmpty();
    }

    private Schema schema(String name) {
        String file = FILES.get(name);
        if (file == null) {
            throw new IllegalArgumentException("no schema " + name + " is mapped to its file; add it to FILES");
        }
        return schemas.computeIfAbsent(name, n -> {
            Schema s = registry.getSchema(SchemaLocation.of(dir.resolve(file).toUri() + "#/components/schemas/" + n));
            s.initializeValidators(); // resolve every $ref now, so a broken reference fails here and not mid-test
            return s;
        });
    }
}
