package dev.orch.ctl;

import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * Builds command objects for picocli, handing the {@link CtlContext} to every command class that
 * declares a constructor taking it; other classes (mixins, converters) get picocli's default.
 */
final class ContextFactory implements CommandLine.IFactory {
    private final CtlContext context;

    ContextFactory(CtlContext context) {
        this.context = context;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
        Constructor<K> withContext;
        try {
            withContext = cls.getDeclaredConstructor(CtlContext.class);
        } catch (NoSuchMethodException e) {
            return CommandLine.defaultFactory().create(cls);
        }
        withContext.setAccessible(true);
        return withContext.newInstance(context);
    }
}
