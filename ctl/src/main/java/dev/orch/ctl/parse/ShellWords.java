package dev.orch.ctl.parse;

import dev.orch.ctl.UsageException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits {@code service update --args "sh -c 'echo hi'"} into words as a POSIX shell would for
 * quoting: single quotes keep everything, double quotes keep all but backslash escapes of
 * {@code " \ $ `}, and a backslash outside quotes escapes the next character.
 */
public final class ShellWords {
    private ShellWords() {
    }

    public static List<String> split(String option, String line) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote == '\'') {
                if (c == '\'') {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (quote == '"') {
                if (c == '"') {
                    quote = 0;
                } else if (c == '\\' && i + 1 < line.length() && "\"\\$`".indexOf(line.charAt(i + 1)) >= 0) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    words.add(word.toString());
                    word.setLength(0);
                    inWord = false;
                }
            } else {
                inWord = true;
                if (c == '\'' || c == '"') {
                    quote = c;
                } else if (c == '\\' && i + 1 < line.length()) {
                    word.append(line.charAt(++i));
                } else {
                    word.append(c);
                }
            }
        }
        if (quote != 0) {
            throw new UsageException("invalid " + option + " \"" + line + "\": unterminated " + quote + " quote");
        }
        if (inWord) {
            words.add(word.toString());
        }
        return words;
    }
}
