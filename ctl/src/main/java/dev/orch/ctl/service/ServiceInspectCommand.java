package dev.orch.ctl.service;

import dev.orch.ctl.CtlContext;
import dev.orch.ctl.PerTarget;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.ctl.output.FormatOption;
import dev.orch.ctl.output.JsonOutput;
import dev.orch.proto.GetServiceRequest;
import dev.orch.proto.Service;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code orchctl service inspect SERVICE...}: the services as a JSON array, like docker's. */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Show services in detail, as JSON.")
final class ServiceInspectCommand implements Callable<Integer> {
    private final CtlContext context;

    @Mixin
    FormatOption format;

    @Parameters(arity = "1..*", paramLabel = "SERVICE", description = "Service id, id prefix or name.")
    List<String> services;

    ServiceInspectCommand(CtlContext context) {
        this.context = context;
    }

    @Override
    public Integer call() {
        format.requireJson();
        try (ManagerConnection connection = context.connect()) {
            List<Service> found = new ArrayList<>();
            int exitCode = PerTarget.run(context.err(), services, name -> found.add(
                    connection.call(control -> control.getService(GetServiceRequest.newBuilder()
                            .setService(name).build())).getService()));
            // Like docker inspect: what was found is printed even when some names were not.
            JsonOutput.printArray(context.out(), found);
            return exitCode;
        }
    }
}
