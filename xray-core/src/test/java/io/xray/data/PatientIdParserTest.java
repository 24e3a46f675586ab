package io.xray.data;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PatientIdParserTest {

    @Test
    void bacteriaAndVirusNames_shouldGiveThePerson() {
        assertThat(PatientIdParser.patientId("person1000_bacteria_2931.jpeg")).isEqualTo("person1000");
        assertThat(PatientIdParser.patientId("person1000_virus_1681.jpeg")).isEqualTo("person1000");
        assertThat(PatientIdParser.patientId("person1_virus_9_2.jpeg")).isEqualTo("person1");
    }

    @Test
    void imNames_shouldDropTheImageNumber() {
        assertThat(PatientIdParser.patientId("IM-0115-0001.jpeg")).isEqualTo("IM-0115");
        assertThat(PatientIdParser.patientId("IM-0033-0001-0001.jpeg")).isEqualTo("IM-0033");
    }

    @Test
    void normal2Names_shouldKeepTheirPrefixApartFromImNames() {
        assertThat(PatientIdParser.patientId("NORMAL2-IM-0383-0001.jpeg")).isEqualTo("NORMAL2-IM-0383");
        assertThat(PatientIdParser.patientId("NORMAL2-IM-0383-0001-0002.jpeg")).isEqualTo("NORMAL2-IM-0383");
        assertThat(PatientIdParser.patientId("NORMAL2-IM-0383-0001.jpeg"))
                .isNotEqualTo(PatientIdParser.patientId("IM-0383-0001.jpeg"));
    }

    @Test
    void folders_shouldBeIgnored() {
        assertThat(PatientIdParser.patientId("train/NORMAL/IM-0115-0001.jpeg")).isEqualTo("IM-0115");
    }

    @Test
    void unknownName_shouldBeItsOwnPatientNamedByItsStem() {
        assertThat(PatientIdParser.recognise("scan_2024.png")).isEmpty();
        assertThat(PatientIdParser.patientId("scan_2024.png")).isEqualTo("scan_2024");
        assertThat(PatientIdParser.recognise("person12.jpeg")).isEmpty();
        assertThat(PatientIdParser.recognise("IM-0115.jpeg")).isEmpty();
    }
}
