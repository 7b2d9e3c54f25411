package dev.orch.ctl.data;

import com.google.protobuf.MessageOrBuilder;
import dev.orch.ctl.connect.ManagerConnection;
import dev.orch.proto.Config;
import dev.orch.proto.CreateDataRequest;
import dev.orch.proto.DataSpec;
import dev.orch.proto.GetDataRequest;
import dev.orch.proto.ListDataRequest;
import dev.orch.proto.Meta;
import dev.orch.proto.RemoveDataRequest;
import dev.orch.proto.Secret;
import java.util.List;

/** The Control API calls of one kind (secret or config), seen the same way. */
public enum DataKindClient {
    SECRET("secret") {
        @Override
        Entry create(ManagerConnection c, DataSpec spec) {
            return of(c.call(s -> s.createSecret(CreateDataRequest.newBuilder().setSpec(spec).build())).getSecret());
        }

        @Override
        Entry get(ManagerConnection c, String name) {
            return of(c.call(s -> s.getSecret(GetDataRequest.newBuilder().setName(name).build())).getSecret());
        }

        @Override
        List<Entry> list(ManagerConnection c) {
            return c.call(s -> s.listSecrets(ListDataRequest.getDefaultInstance())).getSecretsList().stream()
                    .map(DataKindClient::of).toList();
        }

        @Override
        void remove(ManagerConnection c, String name) {
            c.call(s -> s.removeSecret(RemoveDataRequest.newBuilder().setName(name).build()));
        }
    },
    CONFIG("config") {
        @Override
        Entry create(ManagerConnection c, DataSpec spec) {
            return of(c.call(s -> s.createConfig(CreateDataRequest.newBuilder().setSpec(spec).build())).getConfig());
        }

        @Override
        Entry get(ManagerConnection c, String name) {
            return of(c.call(s -> s.getConfig(GetDataRequest.newBuilder().setName(name).build())).getConfig());
        }

        @Override
        List<Entry> list(ManagerConnection c) {
            return c.call(s -> s.listConfigs(ListDataRequest.getDefaultInstance())).getConfigsList().stream()
                    .map(DataKindClient::of).toList();
        }

        @Override
        void remove(ManagerConnection c, String name) {
            c.call(s -> s.removeConfig(RemoveDataRequest.newBuilder().setName(name).build()));
        }
    };

    /** One secret or config as the Control API returned it (never with its data). */
    record Entry(Meta meta, DataSpec spec, String digest, long size, MessageOrBuilder message) {
    }

    final String noun;

    DataKindClient(String noun) {
        this.noun = noun;
    }

    abstract Entry create(ManagerConnection c, DataSpec spec);

    abstract Entry get(ManagerConnection c, String name);

    abstract List<Entry> list(ManagerConnection c);

    abstract void remove(ManagerConnection c, String name);

    private static Entry of(Secret s) {
        return new Entry(s.getMeta(), s.getSpec(), s.getDataDigest(), s.getDataSize(), s);
    }

    private static Entry of(Config s) {
        return new Entry(s.getMeta(), s.getSpec(), s.getDataDigest(), s.getDataSize(), s);
    }
}
