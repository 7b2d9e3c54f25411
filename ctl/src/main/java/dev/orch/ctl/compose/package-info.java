/**
 * The compose file loader: YAML with positions ({@link dev.orch.ctl.compose.YamlNode}),
 * interpolation, merging of several files, and conversion of the result into one stack deploy
 * request, with a warning per ignored key and an error naming file, line and column otherwise.
 */
package dev.orch.ctl.compose;
