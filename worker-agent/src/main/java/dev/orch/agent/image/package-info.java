/**
 * Images on disk: content-addressed blobs, unpacked layers, and import of image archives.
 *
 * <p>{@link dev.orch.agent.image.BlobStore} keeps every blob (manifest, config, layer) under its
 * sha256 and verifies it on the way in. {@link dev.orch.agent.image.ImageArchiveReader} imports
 * OCI layout and {@code docker save} archives into a blob store. {@link
 * dev.orch.agent.image.LayerStore} unpacks each layer once into a directory that overlayfs uses as
 * a read-only lower layer, shared by every container of every image that has it. {@link
 * dev.orch.agent.image.ImageStore} ties them together for the agent. {@link
 * dev.orch.agent.image.RegistryClient} speaks the OCI distribution API (references as {@link
 * dev.orch.agent.image.RegistryReference}, auth challenges as {@link
 * dev.orch.agent.image.AuthChallenge}): the managers resolve tags with it, nodes pull layers with
 * it through a {@link dev.orch.agent.image.RegistryBlobSource}.
 *
 * <pre>
 *   &lt;root&gt;/blobs/sha256/&lt;hex&gt;     blob contents
 *   &lt;root&gt;/blobs/tmp/             downloads in progress
 *   &lt;root&gt;/layers/sha256/&lt;hex&gt;/   unpacked layer, named by the layer blob's digest
 *   &lt;root&gt;/layers/tmp/            unpacks in progress
 * </pre>
 */
package dev.orch.agent.image;
