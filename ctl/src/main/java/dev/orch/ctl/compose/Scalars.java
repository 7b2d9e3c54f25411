package dev.orch.ctl.compose;

import java.math.BigInteger;
import java.util.regex.Pattern;

/** YAML 1.1 implicit types of plain scalars, as compose files (read by go-yaml v2/v3) use them. */
final class Scalars {
    private static final Pattern BOOL = Pattern.compile(
            "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF");
    private static final Pattern INT = Pattern.compile("[-+]?(0|[1-9][0-9_]*|0[0-7_]+|0x[0-9a-fA-F_]+|0o[0-7]+)");
    private static final Pattern FLOAT = Pattern.compile("[-+]?([0-9][0-9_]*)?\\.[0-9]*([eE][-+]?[0-9]+)?");

    private Scalars() {
    }

    /** A plain scalar's value: Boolean, Long/BigInteger, Double or the text. */
    static Object typed(String text) {
        if (BOOL.matcher(text).matches()) {
            return text.length() > 1 && (text.equalsIgnoreCase("true") || text.equalsIgnoreCase("yes")
                    || text.equalsIgnoreCase("on")) || text.equals("y") || text.equals("Y");
        }
        BigInteger integer = integer(text);
        if (integer != null) {
            return integer.bitLength() < 63 ? (Object) integer.longValue() : integer;
        }
        if (FLOAT.matcher(text).matches() && !text.equals(".")) {
            try {
                return Double.parseDouble(text.replace("_", ""));
            } catch (NumberFormatException e) {
                return text;
            }
        }
        return text;
    }

    /** A YAML 1.1 integer (0-prefixed = octal), or null when {@code text} is none. */
    static BigInteger integer(String text) {
        if (!INT.matcher(text).matches()) {
            return null;
        }
        String t = text.replace("_", "");
        boolean negative = t.startsWith("-");
        if (t.startsWith("-") || t.startsWith("+")) {
            t = t.substring(1);
        }
        BigInteger value;
        if (t.startsWith("0x")) {
            value = new BigInteger(t.substring(2), 16);
        } else if (t.startsWith("0o")) {
            value = new BigInteger(t.substring(2), 8);
        } else if (t.length() > 1 && t.startsWith("0")) {
            value = new BigInteger(t.substring(1), 8);
        } else {
            value = new BigInteger(t);
        }
        return negative ? value.negate() : value;
    }
}
