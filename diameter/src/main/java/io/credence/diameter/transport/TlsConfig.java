package io.credence.diameter.transport;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;

import javax.net.ssl.KeyManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;

/**
 * TLS for Diameter connections (RFC 6733 section 13: TLS from connection start on a dedicated
 * port), from a PKCS#12 key store holding the server key and certificate chain.
 */
public record TlsConfig(Path keyStore, char[] password) {
    public TlsConfig {
        if (keyStore == null || password == null) {
            throw new IllegalArgumentException("keyStore and password are required for TLS");
        }
    }

    SslContext serverContext() {
        try (InputStream in = Files.newInputStream(keyStore)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, password);
            return SslContextBuilder.forServer(keys).protocols("TLSv1.3", "TLSv1.2").build();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use TLS key store " + keyStore + ": " + e.getMessage(), e);
        }
    }
}
