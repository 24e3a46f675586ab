package io.xray.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Keeps xray-core's package graph as DESIGN.md draws it: one-way dependencies between the
 * {@code io.xray.*} packages (no cycles), and nothing of AWS in this module, which must build and run
 * with no AWS SDK at all.
 */
class PackageGraphTest {

    private static JavaClasses core;

    @BeforeAll
    static void importMainClasses() {
        core = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages("io.xray");
    }

    @Test
    void corePackages_shouldHaveNoCycles() {
        slices().matching("io.xray.(*)..").should().beFreeOfCycles().check(core);
    }

    @Test
    void rootPackage_shouldDependOnNoOtherXrayPackage() {
        // The slices above leave io.xray itself out; everything depends on it, so it depends on nothing.
        noClasses().that().resideInAPackage("io.xray")
                .should().dependOnClassesThat().resideInAPackage("io.xray.*..")
                .check(core);
    }

    @Test
    void corePackages_shouldNotDependOnTheAwsSdk() {
        noClasses().should().dependOnClassesThat().resideInAPackage("software.amazon..").check(core);
    }

    @Test
    void awsSdk_shouldNotBeOnTheCoreClasspath() {
        assertThatThrownBy(() -> Class.forName("software.amazon.awssdk.core.SdkClient"))
                .isInstanceOf(ClassNotFoundException.class);
    }

    @Test
    void internalPackage_shouldNotBeReachedFromTheServingSide() {
        // Serving, prediction clients and tensor codecs work on models through Classifier, never
        // on the network itself.
        noClasses().that().resideInAnyPackage("io.xray.serve..", "io.xray.predict..", "io.xray.codec..")
                .should().dependOnClassesThat().resideInAPackage("io.xray.internal..")
                .check(core);
    }
}
