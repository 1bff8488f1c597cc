package io.dledger.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A self-signed certificate for 127.0.0.1 and localhost, made with the JDK's keytool, written as the PEM files a node's
 * {@code grpc.tls.cert} and {@code grpc.tls.key} take (the certificate also serves as the clients' trusted one).
 *
 * @param cert the certificate, PEM
 * @param key  its private key, PKCS#8 PEM
 */
record TestCertificates(Path cert, Path key) {
    private static final String PASSWORD = "changeit";

    /** Makes the files in {@code dir}, valid for two days. */
    static TestCertificates create(Path dir) throws Exception {
        Files.createDirectories(dir);
        Path store = dir.resolve("node.p12");
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(List.of(keytool.toString(), "-genkeypair", "-alias", "node", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=dledger-test", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity",
                "2", "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", PASSWORD, "-keypass",
                PASSWORD)).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, PASSWORD.toCharArray());
        }
        Certificate cert = ks.getCertificate("node");
        PrivateKey key = (PrivateKey) ks.getKey("node", PASSWORD.toCharArray());
        return new TestCertificates(Files.writeString(dir.resolve("node.pem"), pem("CERTIFICATE", cert.getEncoded())),
                Files.writeString(dir.resolve("node.key"), pem("PRIVATE KEY", key.getEncoded())));
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
