package io.xray.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The command line and the example programs are written as a library user would write them: on the
 * public API only, never on {@code io.xray.internal}; and the library never calls back into them.
 */
class ExamplesUseThePublicApiTest {

    private static JavaClasses all;

    @BeforeAll
    static void importMainClasses() {
        // xray-core arrives here as target/classes or as its jar, depending on how Maven resolves it.
        all = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("io.xray");
    }

    @Test
    void commandLineAndExamples_shouldNotUseInternalPackages() {
        noClasses().that().resideInAnyPackage("io.xray.cli..", "io.xray.examples..")
                .should().dependOnClassesThat().resideInAPackage("io.xray.internal..")
                .check(all);
    }

    @Test
    void library_shouldNotDependOnTheCommandLine() {
        noClasses().that().resideOutsideOfPackages("io.xray.cli..", "io.xray.examples..")
                .should().dependOnClassesThat().resideInAnyPackage("io.xray.cli..", "io.xray.examples..")
                .check(all);
    }

    @Test
    void allPackages_shouldHaveNoCycles() {
        slices().matching("io.xray.(*)..").should().beFreeOfCycles().check(all);
    }
}
