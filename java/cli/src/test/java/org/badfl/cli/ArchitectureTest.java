package org.badfl.cli;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.core.importer.Location;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import com.tngtech.archunit.library.dependencies.SlicesRuleDefinition;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package layers of the product, checked on its compiled classes (this module's test classpath holds every
 * module). Maven already refuses an import across modules that the poms do not allow; these rules cover the
 * packages inside a module and the packages' roles along the data flow data -&gt; clients -&gt; server -&gt;
 * evaluation, with no package cycle anywhere.
 * <pre>
 * cli                                  (nothing depends on it)
 * sim -&gt; evaluation, clients, data     gpu.check (self-test, benchmarks)
 * clients -&gt; data, gpu                 gpu, gpu.nn
 * server.catalog -&gt; server.defenses, server.badfl -&gt; server, server.detect -&gt; server.kernels, server.noise
 * engine (+ engine.gemm)
 * util                                 (depends on nothing of badfl)
 * </pre>
 */
class ArchitectureTest {

    /** Classes of src/main only: no test classes, and none of the modules' test jars. */
    static final ImportOption PRODUCT_ONLY = new ImportOption() {
        private final Pattern testJar = Pattern.compile(".*-tests\\.jar.*");

        @Override
        public boolean includes(Location location) {
            return new ImportOption.DoNotIncludeTests().includes(location) && !location.matches(testJar);
        }
    };

    static JavaClasses product;

    @BeforeAll
    static void importProduct() {
        product = new ClassFileImporter().withImportOption(PRODUCT_ONLY).importPackages("org.badfl");
    }

    /** The rules below see every module and nothing but product classes (else they would pass vacuously). */
    @Test
    void importsTheProductOfEveryModuleAndNoTests() {
        for (String name : new String[] {"org.badfl.util.Seeds", "org.badfl.engine.Compute",
            "org.badfl.server.Defense", "org.badfl.server.catalog.Defenses", "org.badfl.gpu.nn.GpuNetwork",
            "org.badfl.gpu.check.DeviceSelfTest", "org.badfl.data.Dataset", "org.badfl.clients.LocalTrainer",
            "org.badfl.evaluation.Evaluator", "org.badfl.sim.Simulation", "org.badfl.cli.RunCommand",
            "org.badfl.service.AggregationService"}) {
            assertTrue(product.contain(name), name + " not imported");
        }
        assertFalse(product.contain(ArchitectureTest.class), "test classes imported");
        assertFalse(product.contain("org.badfl.sim.SimulationTest"), "test jar of badfl-sim imported");
        assertFalse(product.contain("org.badfl.server.badfl.BadflDefenseTest"), "tests of badfl-core imported");
    }

    // ---- module rules: what a module's packages may use, beside what its pom already allows ----

    @Test
    void coreUsesNoOtherModule() {
        noClasses().that().resideInAnyPackage("org.badfl.util..", "org.badfl.engine..", "org.badfl.server..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.gpu..", "org.badfl.data..",
                "org.badfl.clients..", "org.badfl.evaluation..", "org.badfl.sim..", "org.badfl.cli..")
            .because("badfl-core (util, engine, server) is the library a server links against alone")
            .check(product);
    }

    @Test
    void gpuUsesNeitherItsCheckNorTheSimulator() {
        noClasses().that().resideInAPackage("org.badfl.gpu").or().resideInAPackage("org.badfl.gpu.nn..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.gpu.check..", "org.badfl.data..",
                "org.badfl.clients..", "org.badfl.evaluation..", "org.badfl.sim..", "org.badfl.cli..")
            .because("badfl-gpu runs the device for core; its self-test and benchmarks (badfl-gpu-check) sit above it")
            .check(product);
    }

    @Test
    void gpuCheckUsesNoSimulator() {
        noClasses().that().resideInAPackage("org.badfl.gpu.check..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.data..", "org.badfl.clients..",
                "org.badfl.evaluation..", "org.badfl.sim..", "org.badfl.cli..")
            .check(product);
    }

    @Test
    void simulatorUsesNoGpuCheck() {
        noClasses().that().resideInAnyPackage("org.badfl.data..", "org.badfl.clients..", "org.badfl.evaluation..",
                "org.badfl.sim..")
            .should().dependOnClassesThat().resideInAPackage("org.badfl.gpu.check..")
            .check(product);
    }

    @Test
    void serviceUsesOnlyCore() {
        noClasses().that().resideInAPackage("org.badfl.service..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.gpu..", "org.badfl.data..",
                "org.badfl.clients..", "org.badfl.evaluation..", "org.badfl.sim..", "org.badfl.cli..")
            .because("an FL server embeds the service with badfl-core only")
            .check(product);
        noClasses().that().resideOutsideOfPackages("org.badfl.service..", "org.badfl.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.badfl.service..")
            .check(product);
    }

    @Test
    void nothingUsesTheCommandLine() {
        noClasses().that().resideOutsideOfPackage("org.badfl.cli..")
            .should().dependOnClassesThat().resideInAPackage("org.badfl.cli..")
            .because("the command line is the top; everything it offers is reachable as a library without it")
            .check(product);
    }

    // ---- layers inside the modules ----

    @Test
    void utilDependsOnNothingOfBadfl() {
        noClasses().that().resideInAPackage("org.badfl.util..")
            .should().dependOnClassesThat(resideInAPackage("org.badfl..").and(not(resideInAPackage("org.badfl.util.."))))
            .check(product);
    }

    @Test
    void engineIsBelowServerDeviceAndData() {
        noClasses().that().resideInAPackage("org.badfl.engine..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.server..", "org.badfl.gpu..",
                "org.badfl.data..", "org.badfl.clients..", "org.badfl.evaluation..", "org.badfl.sim..")
            .check(product);
    }

    @Test
    void serverKnowsNoDataClientsEvaluationOrDevice() {
        noClasses().that().resideInAPackage("org.badfl.server..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.data..", "org.badfl.clients..",
                "org.badfl.evaluation..", "org.badfl.sim..", "org.badfl.gpu..")
            .because("a defense sees updates and a ServerContext, never the simulator's data or clients")
            .check(product);
    }

    @Test
    void serverApiIsBelowTheDefenses() {
        noClasses().that().resideInAPackage("org.badfl.server")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.server.defenses..",
                "org.badfl.server.badfl..", "org.badfl.server.catalog..", "org.badfl.server.detect..")
            .because("Defense, ServerContext and the round types are the API the defenses implement")
            .check(product);
    }

    @Test
    void kernelsAndNoiseAreBelowTheServerApi() {
        noClasses().that().resideInAnyPackage("org.badfl.server.kernels..", "org.badfl.server.noise..")
            .should().dependOnClassesThat(resideInAPackage("org.badfl.server")
                .or(resideInAnyPackage("org.badfl.server.defenses..", "org.badfl.server.badfl..",
                    "org.badfl.server.catalog..", "org.badfl.server.detect..")))
            .because("the kernels work on rows and arrays; the server API and the defenses use them")
            .check(product);
    }

    @Test
    void detectionHelpersAreBelowTheDefenses() {
        noClasses().that().resideInAPackage("org.badfl.server.detect..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.server.defenses..",
                "org.badfl.server.badfl..", "org.badfl.server.catalog..")
            .check(product);
    }

    @Test
    void baselinesAndBadflDoNotUseEachOtherOrTheRegistry() {
        noClasses().that().resideInAPackage("org.badfl.server.defenses..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.server.badfl..", "org.badfl.server.catalog..")
            .check(product);
        noClasses().that().resideInAPackage("org.badfl.server.badfl..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.server.defenses..",
                "org.badfl.server.catalog..")
            .check(product);
    }

    @Test
    void gpuKnowsNoDataClientsOrEvaluation() {
        noClasses().that().resideInAPackage("org.badfl.gpu..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.data..", "org.badfl.clients..",
                "org.badfl.evaluation..", "org.badfl.sim..")
            .check(product);
    }

    @Test
    void dataIsTheBottomOfTheSimulator() {
        noClasses().that().resideInAPackage("org.badfl.data..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.clients..", "org.badfl.server..",
                "org.badfl.evaluation..", "org.badfl.sim..")
            .check(product);
    }

    @Test
    void clientsKnowNoEvaluationOrSimulator() {
        noClasses().that().resideInAPackage("org.badfl.clients..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.evaluation..", "org.badfl.sim..")
            .check(product);
    }

    @Test
    void evaluationKnowsNoClientsOrSimulator() {
        noClasses().that().resideInAPackage("org.badfl.evaluation..")
            .should().dependOnClassesThat().resideInAnyPackage("org.badfl.clients..", "org.badfl.sim..")
            .because("evaluation measures models and verdicts; the simulator plugs it in (SmoothedFinalEvaluation)")
            .check(product);
    }

    // ---- no cycles ----

    /** Every package of the product is a slice. */
    static final SliceAssignment PACKAGES = new SliceAssignment() {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String p = javaClass.getPackageName();
            return p.startsWith("org.badfl.") ? SliceIdentifier.of(p.substring("org.badfl.".length()))
                : SliceIdentifier.ignore();
        }

        @Override
        public String getDescription() {
            return "packages of org.badfl";
        }
    };

    @Test
    void packagesAreFreeOfCycles() {
        SlicesRuleDefinition.slices().assignedFrom(PACKAGES).should().beFreeOfCycles().check(product);
    }
}
