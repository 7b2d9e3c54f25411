package dev.orch.agent.image;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A registry's {@code WWW-Authenticate} challenge (RFC 7235): {@code Bearer realm="...",
 * service="...",scope="..."} for token auth, {@code Basic realm="..."} for basic auth.
 *
 * @param scheme lowercase: {@code bearer} or {@code basic} (or another scheme orch cannot answer)
 * @param params the auth-params, names lowercased
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

  /**
   * Parses the first challenge of a header value.
   *
   * @throws IllegalArgumentException if the header is not a challenge
   */
  public static AuthChallenge parse(String header) {
    String h = header == null ? "" : header.strip();
    int sp = h.indexOf(' ');
    String scheme = (sp < 0 ? h : h.substring(0, sp)).toLowerCase(Locale.ROOT);
    if (scheme.isEmpty() || !scheme.chars().allMatch(c -> Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
      throw new IllegalArgumentException("not an authentication challenge: \"" + header + "\"");
    }
    Map<String, String> params = new LinkedHashMap<>();
    int i = sp < 0 ? h.length() : sp + 1;
    while (i < h.length()) {
      while (i < h.length() && (h.charAt(i) == ' ' || h.charAt(i) == ',')) {
        i++;
      }
      int eq = h.indexOf('=', i);
      if (i >= h.length()) {
        break;
      }
      if (eq < 0) {
        throw new IllegalArgumentException("malformed challenge parameter in \"" + header + "\"");
      }
      String name = h.substring(i, eq).strip().toLowerCase(Locale.ROOT);
      i = eq + 1;
      StringBuilder value = new StringBuilder();
      if (i < h.length() && h.charAt(i) == '"') {
        i++;
        while (i < h.length() && h.charAt(i) != '"') {
          if (h.charAt(i) == '\\' && i + 1 < h.length()) {
            i++;
          }
          value.append(h.charAt(i++));
        }
        if (i >= h.length()) {
          throw new IllegalArgumentException("unterminated quoted value in \"" + header + "\"");
        }
        i++;
      } else {
        while (i < h.length() && h.charAt(i) != ',') {
          value.append(h.charAt(i++));
        }
      }
      params.put(name, value.toString().strip());
    }
    return new AuthChallenge(scheme, Map.copyOf(params));
  }

  public String param(String name) {
    return params.getOrDefault(name, "");
  }
}
