package dev.orch.ctl;

import dev.orch.proto.Cluster;
import dev.orch.proto.ClusterResponse;
import dev.orch.proto.ControlGrpc;
import dev.orch.proto.CreateServiceRequest;
import dev.orch.proto.GetClusterRequest;
import dev.orch.proto.GetJoinTokensRequest;
import dev.orch.proto.GetNodeRequest;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.Image;
import dev.orch.proto.ImageResponse;
import dev.orch.proto.ImportImageChunk;
import dev.orch.proto.JoinTokens;
import dev.orch.proto.JoinTokensResponse;
import dev.orch.proto.ListImagesRequest;
import dev.orch.proto.ListImagesResponse;
import dev.orch.proto.ListNodesRequest;
import dev.orch.proto.ListNodesResponse;
import dev.orch.proto.ListServicesRequest;
import dev.orch.proto.ListServicesResponse;
import dev.orch.proto.ListTasksRequest;
import dev.orch.proto.ListTasksResponse;
import dev.orch.proto.LogLine;
import dev.orch.proto.LogsRequest;
import dev.orch.proto.Meta;
import dev.orch.proto.Node;
import dev.orch.proto.NodeResponse;
import dev.orch.proto.NodeState;
import dev.orch.proto.RemoveNodeRequest;
import dev.orch.proto.RemoveNodeResponse;
import dev.orch.proto.RemoveServiceRequest;
import dev.orch.proto.RemoveServiceResponse;
import dev.orch.proto.Service;
import dev.orch.proto.ServiceResponse;
import dev.orch.proto.Task;
import dev.orch.proto.TaskSpec;
import dev.orch.proto.TaskState;
import dev.orch.proto.TaskStatus;
import dev.orch.proto.UpdateClusterRequest;
import dev.orch.proto.UpdateNodeRequest;
import dev.orch.proto.UpdateServiceRequest;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsServerCredentials;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A Control API server on a real local port, holding its objects in lists. It answers like the
 * manager is meant to (names or id prefixes resolve, stale versions are ABORTED), so commands are
 * tested over real gRPC without a cluster. Like the manager it serves only mutual TLS: its
 * certificate is the shared {@link TestCa}'s manager bundle and it requires a client certificate
 * of that CA; {@link #env()} points orchctl at the CA's admin bundle.
 */
public final class FakeManager extends ControlGrpc.ControlImplBase implements AutoCloseable {
    /** The node every task runs on; add a Node with this id to see its hostname in ps. */
    public static final String NODE_ID = "node-0000000000000000000001";
    public final List<Service> services = new CopyOnWriteArrayList<>();
    public final List<Task> tasks = new CopyOnWriteArrayList<>();
    public final List<Node> nodes = new CopyOnWriteArrayList<>();
    public final List<Image> images = new CopyOnWriteArrayList<>();
    public final List<ImportImageChunk> importedChunks = new CopyOnWriteArrayList<>();
    public final List<UpdateNodeRequest> nodeUpdates = new CopyOnWriteArrayList<>();
    public final List<RemoveNodeRequest> nodeRemovals = new CopyOnWriteArrayList<>();
    public final List<GetJoinTokensRequest> joinTokenRequests = new CopyOnWriteArrayList<>();
    public final List<UpdateClusterRequest> clusterUpdates = new CopyOnWriteArrayList<>();
    public final List<CreateServiceRequest> createRequests = new CopyOnWriteArrayList<>();
    public final List<LogsRequest> logRequests = new CopyOnWriteArrayList<>();
    /** What every Logs call answers, in order. */
    public final List<LogLine> logLines = new CopyOnWriteArrayList<>();
    /** Whether created services get running tasks at once (else they stay pending). */
    public volatile boolean startTasks = true;
    /** How many UpdateService or UpdateNode calls to refuse as stale before accepting one. */
    public volatile int conflictsToInject;
    /** When set, every call is refused with PERMISSION_DENIED and this description. */
    public volatile String refuseCertificate;
    public volatile String workerToken = "ORCH-1-" + "c".repeat(64) + "-workersecret1";
    public volatile String managerToken = "ORCH-1-" + "c".repeat(64) + "-managersecret1";
    /** The managers' addresses a join token response lists. */
    public volatile List<String> managerAddresses = List.of("10.0.0.1:4242");
    public volatile Cluster cluster = Cluster.newBuilder()
            .setMeta(Meta.newBuilder().setId("cluster-1").setVersion(7))
            .setName("default").setDispatcherHeartbeatMs(5000).build();
    private final Server server;
    private int nextId = 1;
    private long version = 100;
    private int rotations;

    /** Serves with the shared CA's manager certificate and requires its client certificates. */
    public FakeManager() throws IOException {
        this(TestCa.managerBundle());
    }

    /** Serves with the certificate in {@code bundle} (ca.pem, cert.pem, key.pem). */
    public FakeManager(Path bundle) throws IOException {
        ServerCredentials credentials = TlsServerCredentials.newBuilder()
                .keyManager(bundle.resolve("cert.pem").toFile(), bundle.resolve("key.pem").toFile())
                .trustManager(bundle.resolve("ca.pem").toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build();
        server = Grpc.newServerBuilderForPort(0, credentials)
                .addService(ServerInterceptors.intercept(this, new CertificateRefusal()))
                .build().start();
    }

    public int port() {
        return server.getPort();
    }

    /** ORCH_HOST of this server and ORCH_TLS_DIR of the shared CA's admin bundle. */
    public Map<String, String> env() {
        return Map.of("ORCH_HOST", "127.0.0.1:" + server.getPort(),
                "ORCH_TLS_DIR", TestCa.adminBundle().toString());
    }

    /** A Control service without TLS, as an old manager served it. */
    public static final class Plain extends ControlGrpc.ControlImplBase {
    }

    /** What the manager's authorization does with a certificate of another cluster or role. */
    private final class CertificateRefusal implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            String refusal = refuseCertificate;
            if (refusal != null) {
                call.close(Status.PERMISSION_DENIED.withDescription(refusal), new Metadata());
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }

    @Override
    public void close() throws InterruptedException {
        server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private synchronized Meta newMeta(String prefix) {
        long now = System.currentTimeMillis();
        return Meta.newBuilder().setId(prefix + String.format("%023d", nextId++))
                .setVersion(++version).setCreatedAtMs(now).setUpdatedAtMs(now).build();
    }

    private Service find(String nameOrId) {
        return services.stream().filter(s -> s.getSpec().getName().equals(nameOrId)
                || s.getMeta().getId().startsWith(nameOrId)).findFirst()
                .orElseThrow(() -> Status.NOT_FOUND
                        .withDescription("service " + nameOrId + " not found").asRuntimeException());
    }

    @Override
    public void createService(CreateServiceRequest request, StreamObserver<ServiceResponse> out) {
        createRequests.add(request);
        if (request.getSpec().getName().equals("bad name")) {
            out.onError(Status.INVALID_ARGUMENT.withDescription(
                    "invalid service name \"bad name\": use letters, digits, '-' and '_'")
                    .asRuntimeException());
            return;
        }
        Service service = Service.newBuilder().setMeta(newMeta("s")).setSpec(request.getSpec()).build();
        services.add(service);
        for (long slot = 1; slot <= request.getSpec().getReplicas(); slot++) {
            tasks.add(task(service, slot, startTasks ? TaskState.RUNNING : TaskState.PENDING,
                    startTasks ? "" : "no suitable node (1 node lacks 64 MiB of memory)"));
        }
        out.onNext(ServiceResponse.newBuilder().setService(service).build());
        out.onCompleted();
    }

    public Task task(Service service, long slot, TaskState state, String err) {
        return Task.newBuilder().setMeta(newMeta("t")).setServiceId(service.getMeta().getId())
                .setServiceName(service.getSpec().getName()).setSlot(slot).setNodeId(NODE_ID)
                .setSpec(TaskSpec.newBuilder().setContainer(service.getSpec().getContainer()))
                .setDesiredState(TaskState.RUNNING)
                .setStatus(TaskStatus.newBuilder().setState(state).setErr(err)
                        .setTimestampMs(System.currentTimeMillis()))
                .build();
    }

    /** Answers like a real service: a StatusRuntimeException becomes the call's status. */
    private static <T> void respond(StreamObserver<T> out, Supplier<T> answer) {
        T value;
        try {
            value = answer.get();
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        out.onNext(value);
        out.onCompleted();
    }

    @Override
    public void logs(LogsRequest request, StreamObserver<LogLine> out) {
        logRequests.add(request);
        logLines.forEach(out::onNext);
        out.onCompleted();
    }

    @Override
    public void getService(GetServiceRequest request, StreamObserver<ServiceResponse> out) {
        respond(out, () -> ServiceResponse.newBuilder().setService(find(request.getService()))
                .build());
    }

    @Override
    public void listServices(ListServicesRequest request, StreamObserver<ListServicesResponse> out) {
        out.onNext(ListServicesResponse.newBuilder().addAllServices(services).build());
        out.onCompleted();
    }

    @Override
    public synchronized void updateService(UpdateServiceRequest request,
            StreamObserver<ServiceResponse> out) {
        Service current;
        try {
            current = find(request.getService());
        } catch (StatusRuntimeException e) {
            out.onError(e);
            return;
        }
        if (conflictsToInject > 0 || request.getVersion() != current.getMeta().getVersion()) {
            conflictsToInject--;
            // what a concurrent writer does: the stored version moves on
            Service moved = current.toBuilder().setMeta(current.getMeta().toBuilder()
                    .setVersion(++version)).build();
            services.set(services.indexOf(current), moved);
            out.onError(Status.ABORTED.withDescription("service " + current.getSpec().getName()
                    + " changed since version " + request.getVersion() + "; read it again")
                    .asRuntimeException());
            return;
        }
        Service updated = current.toBuilder().setSpec(request.getSpec())
                .setMeta(current.getMeta().toBuilder().setVersion(++version)).build();
        services.set(services.indexOf(current), updated);
        out.onNext(ServiceResponse.newBuilder().setService(updated).build());
        out.onCompleted();
    }

    @Override
    public void removeService(RemoveServiceRequest request,
            StreamObserver<RemoveServiceResponse> out) {
        respond(out, () -> {
            Service service = find(request.getService());
            services.remove(service);
            return RemoveServiceResponse.newBuilder().setId(service.getMeta().getId()).build();
        });
    }

    @Override
    public void listTasks(ListTasksRequest request, StreamObserver<ListTasksResponse> out) {
        List<Task> selected = new ArrayList<>();
        for (Task task : tasks) {
            if (request.getService().isEmpty() || task.getServiceId().equals(request.getService())) {
                selected.add(task);
            }
        }
        out.onNext(ListTasksResponse.newBuilder().addAllTasks(selected).build());
        out.onCompleted();
    }

    @Override
    public void listNodes(ListNodesRequest request, StreamObserver<ListNodesResponse> out) {
        out.onNext(ListNodesResponse.newBuilder().addAllNodes(nodes).build());
        out.onCompleted();
    }

    private Node findNode(String nameOrId) {
        return nodes.stream().filter(n -> n.getDescription().getHostname().equals(nameOrId)
                || n.getMeta().getId().startsWith(nameOrId)).findFirst()
                .orElseThrow(() -> Status.NOT_FOUND
                        .withDescription("node " + nameOrId + " not found").asRuntimeException());
    }

    @Override
    public void getNode(GetNodeRequest request, StreamObserver<NodeResponse> out) {
        respond(out, () -> NodeResponse.newBuilder().setNode(findNode(request.getNode())).build());
    }

    @Override
    public synchronized void updateNode(UpdateNodeRequest request, StreamObserver<NodeResponse> out) {
        respond(out, () -> {
            nodeUpdates.add(request);
            Node current = findNode(request.getNode());
            if (conflictsToInject > 0 || request.getVersion() != current.getMeta().getVersion()) {
                conflictsToInject--;
                nodes.set(nodes.indexOf(current), current.toBuilder().setMeta(current.getMeta()
                        .toBuilder().setVersion(++version)).build());
                throw Status.ABORTED.withDescription("node " + current.getMeta().getId()
                        + " changed since version " + request.getVersion() + "; read it again")
                        .asRuntimeException();
            }
            Node updated = current.toBuilder().setSpec(request.getSpec())
                    .setMeta(current.getMeta().toBuilder().setVersion(++version)).build();
            nodes.set(nodes.indexOf(current), updated);
            return NodeResponse.newBuilder().setNode(updated).build();
        });
    }

    @Override
    public void removeNode(RemoveNodeRequest request, StreamObserver<RemoveNodeResponse> out) {
        respond(out, () -> {
            nodeRemovals.add(request);
            Node node = findNode(request.getNode());
            if (node.getStatus().getState() == NodeState.NODE_READY && !request.getForce()) {
                throw Status.FAILED_PRECONDITION.withDescription("node " + request.getNode()
                        + " is ready; drain it and stop orchd there first, or use --force")
                        .asRuntimeException();
            }
            nodes.remove(node);
            return RemoveNodeResponse.newBuilder().setId(node.getMeta().getId()).build();
        });
    }

    @Override
    public synchronized void getJoinTokens(GetJoinTokensRequest request,
            StreamObserver<JoinTokensResponse> out) {
        joinTokenRequests.add(request);
        if (request.getRotateWorker()) {
            workerToken = "ORCH-1-" + "c".repeat(64) + "-rotatedworker" + ++rotations;
        }
        if (request.getRotateManager()) {
            managerToken = "ORCH-1-" + "c".repeat(64) + "-rotatedmanager" + ++rotations;
        }
        out.onNext(JoinTokensResponse.newBuilder().setWorker(workerToken).setManager(managerToken)
                .addAllManagers(managerAddresses).build());
        out.onCompleted();
    }

    @Override
    public void getCluster(GetClusterRequest request, StreamObserver<ClusterResponse> out) {
        Cluster current = cluster.toBuilder().setJoinTokens(JoinTokens.newBuilder()
                .setWorker(workerToken).setManager(managerToken)).build();
        out.onNext(ClusterResponse.newBuilder().setCluster(current).build());
        out.onCompleted();
    }

    @Override
    public synchronized void updateCluster(UpdateClusterRequest request,
            StreamObserver<ClusterResponse> out) {
        clusterUpdates.add(request);
        Cluster.Builder updated = cluster.toBuilder();
        if (request.getDispatcherHeartbeatMs() != 0) {
            updated.setDispatcherHeartbeatMs(request.getDispatcherHeartbeatMs());
        }
        updated.setMeta(cluster.getMeta().toBuilder().setVersion(++version));
        cluster = updated.build();
        out.onNext(ClusterResponse.newBuilder().setCluster(cluster).build());
        out.onCompleted();
    }

    @Override
    public void listImages(ListImagesRequest request, StreamObserver<ListImagesResponse> out) {
        out.onNext(ListImagesResponse.newBuilder().addAllImages(images).build());
        out.onCompleted();
    }

    @Override
    public StreamObserver<ImportImageChunk> importImage(StreamObserver<ImageResponse> out) {
        ByteArrayOutputStream received = new ByteArrayOutputStream();
        return new StreamObserver<>() {
            private String reference = "";

            @Override
            public void onNext(ImportImageChunk chunk) {
                importedChunks.add(chunk);
                if (!chunk.getReference().isEmpty()) {
                    reference = chunk.getReference();
                }
                received.writeBytes(chunk.getData().toByteArray());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                Image.Builder image = Image.newBuilder()
                        .setMeta(Meta.newBuilder().setId("sha256:" + "ab".repeat(32)))
                        .setSizeBytes(received.size());
                if (!reference.isEmpty()) {
                    image.addReferences(reference);
                }
                out.onNext(ImageResponse.newBuilder().setImage(image).build());
                out.onCompleted();
            }
        };
    }
}
