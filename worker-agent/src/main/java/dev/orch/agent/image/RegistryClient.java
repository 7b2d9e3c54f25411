package dev.orch.agent.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.agent.image.RegistryException.Kind;
import dev.orch.proto.Image;
import dev.orch.proto.ImageSource;
import dev.orch.proto.Meta;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * A client of the OCI distribution (registry v2) API: resolves a reference to the linux/amd64
 * image manifest it names (through an image index or Docker manifest list), reads configs and
 * streams layer blobs. Answers token (Bearer) and Basic challenges; keeps the authorization it
 * got per registry, repository and user. Every document it returns is checked against its digest;
 * layer blobs are checked by the {@link BlobStore} that stores them. Thread-safe.
 */
public final class RegistryClient {

  /** Credentials for one registry; never printed. */
  public record Credentials(String username, String password) {
    public Credentials {
      Objects.requireNonNull(username);
      Objects.requireNonNull(password);
    }

    @Override
    public String toString() {
      return "Credentials[" + username + ", password hidden]";
    }
  }

  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  private static final String ACCEPT =
      String.join(", ", OCI_INDEX, DOCKER_LIST, OciDocuments.OCI_MANIFEST, DOCKER_MANIFEST);
  private static final int MAX_DOCUMENT = 4 << 20;
  private static final int MAX_REDIRECTS = 5;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http;
  private final Duration timeout;
  private final Duration stallLimit;
  private final Map<String, String> authorizations = new ConcurrentHashMap<>();

  /** @param timeout for connecting, for each answer's headers, and for a blob download without progress */
  public RegistryClient(Duration timeout) {
    this(timeout, timeout);
  }

  /**
   * @param timeout for connecting and for each answer's headers
   * @param stallLimit a blob download that delivers no byte for this long fails (the whole
   *     download may take longer: a large layer on a slow link is not cut off)
   */
  public RegistryClient(Duration timeout, Duration stallLimit) {
    this.timeout = timeout;
    this.stallLimit = stallLimit;
    // Redirects are followed by hand: blob downloads are redirected to storage hosts that must
    // not receive the registry's Authorization header.
    this.http = HttpClient.newBuilder()
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        .build();
  }

  /** The repository on one registry that requests go to, with how to reach and authenticate. */
  private record Endpoint(String host, String repository, boolean insecure, Credentials credentials) {
    URI uri(String kind, String reference) {
      return URI.create((insecure ? "http" : "https") + "://" + host + "/v2/" + repository + "/" + kind + "/" + reference);
    }

    String authKey() {
      return host + "/" + repository + "#" + (credentials == null ? "" : credentials.username());
    }
  }

  /**
   * Resolves {@code ref} to the linux/amd64 image it names. The returned image's id is the digest
   * of its platform manifest (what every node will run); its source says where the layers are.
   *
   * @param insecure talk plain HTTP (only for registries marked insecure)
   * @param credentials for the registry, or null to pull anonymously
   */
  public Image resolve(RegistryReference ref, boolean insecure, Credentials credentials) throws IOException {
    Endpoint ep = new Endpoint(ref.apiHost(), ref.repository(), insecure, credentials);
    String what = "image " + ref;
    Document doc = manifest(ep, ref.manifestReference(), ref.digest(), ref);
    JsonNode json = OciDocuments.parse(doc.body(), "manifest of " + what);
    if (OciDocuments.isIndex(json)) {
      OciDocuments.Descriptor chosen = platformEntry(OciDocuments.indexEntries(json, "index of " + what), what);
      doc = manifest(ep, chosen.digest(), chosen.digest(), ref);
      json = OciDocuments.parse(doc.body(), "manifest of " + what);
      if (OciDocuments.isIndex(json)) {
        throw new RegistryException(Kind.INVALID, what + ": the index entry for linux/amd64 is another index");
      }
    }
    if (json.path("schemaVersion").asInt() != 2) {
      throw new RegistryException(Kind.INVALID, what + " has a schema " + json.path("schemaVersion").asInt()
          + " manifest; only schema 2 (Docker v2 and OCI) manifests are supported: push it again with a current client");
    }
    OciDocuments.Manifest m = OciDocuments.manifest(json, "manifest of " + what);
    byte[] configJson = smallBlob(ep, m.config().digest(), ref);
    OciDocuments.Config config = OciDocuments.config(configJson, "config of " + what);
    if (config.diffIds() >= 0 && config.diffIds() != m.layers().size()) {
      throw new RegistryException(Kind.INVALID, what + ": its config lists " + config.diffIds()
          + " layers but its manifest " + m.layers().size());
    }
    long size = configJson.length;
    Image.Builder image = Image.newBuilder()
        .setMeta(Meta.newBuilder().setId(doc.digest()))
        .setConfigDigest(m.config().digest())
        .setConfig(config.config())
        .setSource(ImageSource.newBuilder()
            .setRegistry(ep.host()).setRepository(ep.repository()).setInsecure(insecure));
    for (OciDocuments.Descriptor layer : m.layers()) {
      image.addLayerDigests(layer.digest());
      size += Math.max(0, layer.size());
    }
    if (ref.familiarName() != null) {
      image.addReferences(ref.familiarName());
    }
    return image.setSizeBytes(size).build();
  }

  /**
   * Opens layer blob {@code digest} of the image at {@code source}; the caller closes the stream
   * and verifies the content (a {@link BlobStore} does).
   */
  public InputStream openBlob(ImageSource source, String digest, Credentials credentials) throws IOException {
    Sha256.hex(digest);
    Endpoint ep = new Endpoint(source.getRegistry(), source.getRepository(), source.getInsecure(), credentials);
    HttpResponse<InputStream> r = send(ep, ep.uri("blobs", digest), null);
    if (r.statusCode() != 200) {
      throw failure(r, "blob " + digest + " of " + source.getRegistry() + "/" + source.getRepository());
    }
    return new StallGuardedInputStream(r.body(), stallLimit,
        "blob " + digest + " of " + source.getRegistry() + "/" + source.getRepository());
  }

  private record Document(byte[] body, String digest) {}

  private static OciDocuments.Descriptor platformEntry(List<OciDocuments.Descriptor> entries, String what)
      throws RegistryException {
    String wanted = OciDocuments.OS + "/" + OciDocuments.ARCHITECTURE;
    for (OciDocuments.Descriptor d : entries) {
      if (d.platform().equals(wanted)) {
        return d;
      }
    }
    throw new RegistryException(Kind.NOT_FOUND, what + " has no " + wanted + " image (it has "
        + String.join(", ", entries.stream().map(OciDocuments.Descriptor::platform).toList()) + ")");
  }

  private Document manifest(Endpoint ep, String reference, String expectedDigest, RegistryReference ref)
      throws IOException {
    HttpResponse<InputStream> r = send(ep, ep.uri("manifests", reference), ACCEPT);
    if (r.statusCode() == 404) {
      r.body().close();
      String missing = reference.startsWith("sha256:") ? "manifest " + reference : "tag \"" + reference + "\"";
      throw new RegistryException(Kind.NOT_FOUND, "image " + ref + " not found: " + missing
          + " does not exist in repository " + ep.repository() + " on registry " + ep.host());
    }
    if (r.statusCode() != 200) {
      throw failure(r, "manifest " + reference + " of " + ep.host() + "/" + ep.repository());
    }
    String type = r.headers().firstValue("Content-Type").orElse("");
    if (type.startsWith("application/vnd.docker.distribution.manifest.v1")) {
      r.body().close();
      throw new RegistryException(Kind.INVALID, "image " + ref + " has a schema 1 manifest; only schema 2 "
          + "(Docker v2 and OCI) manifests are supported: push it again with a current client");
    }
    byte[] body = readBounded(r.body(), "manifest of image " + ref);
    String digest = Sha256.digestOf(body);
    String claimed = r.headers().firstValue("Docker-Content-Digest").orElse(null);
    String expected = expectedDigest != null ? expectedDigest : claimed;
    if (expected != null && !expected.equals(digest)) {
      throw new RegistryException(Kind.INVALID, "digest mismatch: manifest " + expected + " of image " + ref
          + " from registry " + ep.host() + " has content " + digest + "; refused");
    }
    return new Document(body, digest);
  }

  private byte[] smallBlob(Endpoint ep, String digest, RegistryReference ref) throws IOException {
    HttpResponse<InputStream> r = send(ep, ep.uri("blobs", digest), null);
    if (r.statusCode() != 200) {
      throw failure(r, "blob " + digest + " of image " + ref);
    }
    byte[] body = readBounded(r.body(), "blob " + digest);
    String actual = Sha256.digestOf(body);
    if (!actual.equals(digest)) {
      throw new RegistryException(Kind.INVALID, "digest mismatch: blob " + digest + " of image " + ref
          + " from registry " + ep.host() + " has content " + actual + "; refused");
    }
    return body;
  }

  private static byte[] readBounded(InputStream in, String what) throws IOException {
    try (in) {
      byte[] b = in.readNBytes(MAX_DOCUMENT + 1);
      if (b.length > MAX_DOCUMENT) {
        throw new RegistryException(Kind.INVALID, what + " is larger than " + (MAX_DOCUMENT >> 20) + " MiB; refused");
      }
      return b;
    }
  }

  /** Sends a GET, answering one authentication challenge with the endpoint's credentials. */
  private HttpResponse<InputStream> send(Endpoint ep, URI uri, String accept) throws IOException {
    HttpResponse<InputStream> r = exchange(uri, accept, authorizations.get(ep.authKey()), ep);
    if (r.statusCode() != 401) {
      return r;
    }
    String challenge = r.headers().firstValue("WWW-Authenticate").orElse(null);
    r.body().close();
    String authorization = authorize(ep, challenge);
    authorizations.put(ep.authKey(), authorization);
    r = exchange(uri, accept, authorization, ep);
    if (r.statusCode() == 401) {
      r.body().close();
      authorizations.remove(ep.authKey());
      throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + " refused the credentials of user "
          + ep.credentials().username() + " for repository " + ep.repository()
          + ": check them with orchctl registry login " + ep.host());
    }
    return r;
  }

  private String authorize(Endpoint ep, String challengeHeader) throws IOException {
    if (challengeHeader == null) {
      throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + " answered 401 without an authentication challenge");
    }
    AuthChallenge challenge;
    try {
      challenge = AuthChallenge.parse(challengeHeader);
    } catch (IllegalArgumentException e) {
      throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + ": " + e.getMessage());
    }
    Credentials c = ep.credentials();
    switch (challenge.scheme()) {
      case "basic" -> {
        if (c == null) {
          throw needsLogin(ep);
        }
        return basic(c);
      }
      case "bearer" -> {
        return "Bearer " + token(ep, challenge);
      }
      default -> throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host()
          + " asks for " + challenge.scheme() + " authentication, which orch does not support (only Bearer and Basic)");
    }
  }

  private static RegistryException needsLogin(Endpoint ep) {
    return new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + " requires authentication for repository "
        + ep.repository() + ": log in with orchctl registry login " + ep.host() + " and pass --with-registry-auth");
  }

  private static String basic(Credentials c) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8));
  }

  /** Gets a token from the challenge's realm (the distribution token protocol). */
  private String token(Endpoint ep, AuthChallenge challenge) throws IOException {
    String realm = challenge.param("realm");
    if (realm.isEmpty()) {
      throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + " sent a Bearer challenge without a realm");
    }
    String scope = challenge.param("scope").isEmpty() ? "repository:" + ep.repository() + ":pull" : challenge.param("scope");
    StringBuilder q = new StringBuilder(realm).append(realm.contains("?") ? '&' : '?')
        .append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
    if (!challenge.param("service").isEmpty()) {
      q.append("&service=").append(URLEncoder.encode(challenge.param("service"), StandardCharsets.UTF_8));
    }
    URI uri;
    try {
      uri = URI.create(q.toString());
    } catch (IllegalArgumentException e) {
      throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + " sent a bad token realm: " + realm);
    }
    if (!"https".equals(uri.getScheme()) && !("http".equals(uri.getScheme()) && ep.insecure())) {
      throw new RegistryException(Kind.UNAUTHORIZED, "registry " + ep.host() + " sends credentials to a token server "
          + "that is not HTTPS (" + uri.getScheme() + "://" + uri.getHost() + "); refused");
    }
    HttpResponse<InputStream> r = exchange(uri, "application/json",
        ep.credentials() == null ? null : basic(ep.credentials()), ep);
    if (r.statusCode() == 401 || r.statusCode() == 403) {
      r.body().close();
      throw ep.credentials() == null ? needsLogin(ep) : new RegistryException(Kind.UNAUTHORIZED, "the token server of registry "
          + ep.host() + " refused the credentials of user " + ep.credentials().username() + " for " + scope);
    }
    if (r.statusCode() != 200) {
      throw failure(r, "token for " + scope + " from " + uri.getHost());
    }
    JsonNode body = JSON.readTree(readBounded(r.body(), "token answer"));
    String token = body.path("token").asText(body.path("access_token").asText(""));
    if (token.isEmpty()) {
      throw new RegistryException(Kind.UNAUTHORIZED, "the token server of registry " + ep.host() + " answered without a token");
    }
    return token;
  }

  /** One GET, following redirects; the Authorization header only goes to the origin it was made for. */
  private HttpResponse<InputStream> exchange(URI uri, String accept, String authorization, Endpoint ep)
      throws IOException {
    URI current = uri;
    String auth = authorization;
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(timeout).GET();
      if (accept != null) {
        b.header("Accept", accept);
      }
      if (auth != null) {
        b.header("Authorization", auth);
      }
      HttpResponse<InputStream> r;
      try {
        r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new InterruptedIOException("interrupted while talking to registry " + ep.host());
      } catch (SSLException e) {
        throw new RegistryException(Kind.UNAVAILABLE, "TLS with registry " + ep.host() + " failed (" + e.getMessage()
            + "); if it serves plain HTTP, mark it insecure on the managers: orchd --insecure-registry " + ep.host(), e);
      } catch (HttpTimeoutException e) {
        throw new RegistryException(Kind.UNAVAILABLE, "registry " + ep.host() + " did not answer within " + timeout.toSeconds() + " s", e);
      } catch (ConnectException e) {
        throw new RegistryException(Kind.UNAVAILABLE, "cannot reach registry " + ep.host() + " at " + current.getScheme()
            + "://" + current.getAuthority() + ": " + (e.getMessage() == null ? "connection refused" : e.getMessage()), e);
      } catch (IOException e) {
        throw new RegistryException(Kind.UNAVAILABLE, "talking to registry " + ep.host() + " failed: " + e, e);
      }
      int s = r.statusCode();
      if (s != 301 && s != 302 && s != 303 && s != 307 && s != 308) {
        return r;
      }
      r.body().close();
      String location = r.headers().firstValue("Location").orElseThrow(() -> new RegistryException(Kind.INVALID,
          "registry " + ep.host() + " redirected without a Location"));
      URI next = current.resolve(location);
      if (!Objects.equals(next.getScheme(), current.getScheme()) || !Objects.equals(next.getAuthority(), current.getAuthority())) {
        auth = null;
      }
      current = next;
    }
    throw new RegistryException(Kind.UNAVAILABLE, "registry " + ep.host() + " redirected more than " + MAX_REDIRECTS + " times");
  }

  /** The error for an unexpected status, with the registry's own error message when it sent one. */
  private static RegistryException failure(HttpResponse<InputStream> r, String what) throws IOException {
    byte[] body;
    try (InputStream in = r.body()) {
      body = in.readNBytes(64 * 1024);
    }
    String detail = "";
    try {
      JsonNode errors = JSON.readTree(body).path("errors");
      if (errors.isArray() && !errors.isEmpty()) {
        detail = ": " + errors.get(0).path("code").asText("") + " " + errors.get(0).path("message").asText("");
      }
    } catch (IOException notJson) {
      // the status alone says enough
    }
    int s = r.statusCode();
    Kind kind = s == 404 ? Kind.NOT_FOUND : s == 403 ? Kind.UNAUTHORIZED : s >= 500 ? Kind.UNAVAILABLE : Kind.INVALID;
    return new RegistryException(kind, what + ": registry answered HTTP " + s + detail);
  }
}
