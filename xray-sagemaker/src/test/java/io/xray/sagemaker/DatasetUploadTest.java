package io.xray.sagemaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.testing.SyntheticXrays;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/** Uploads through the real S3 client to S3Proxy (an S3-compatible server, in memory) on loopback. */
class DatasetUploadTest {

    static LocalS3 s3;
    static SageMakerSession session;

    @BeforeAll
    static void start() throws Exception {
        s3 = new LocalS3();
        session = SageMakerSession.builder()
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(LocalS3.ACCESS_KEY, LocalS3.SECRET_KEY)))
                .s3Endpoint(s3.uri())
                .build();
        session.s3().createBucket(r -> r.bucket("xray-data"));
    }

    @AfterAll
    static void stop() throws Exception {
        session.close();
        s3.close();
    }

    static List<S3Object> list(String prefix) {
        return session.s3().listObjectsV2(r -> r.bucket("xray-data").prefix(prefix)).contents();
    }

    @Test
    void upload_shouldKeepTheLayoutWithChecksumsAndSkipWhatIsAlreadyThere(@TempDir Path work) throws Exception {
        Path root = SyntheticXrays.write(work.resolve("chest_xray"), 3, 2, 5);
        Dataset dataset = Dataset.load(root);
        DatasetUpload upload = DatasetUpload.to(session, "s3://xray-data/runs/a/chest_xray/");
        List<DatasetUpload.Progress> progress = new ArrayList<>();

        DatasetUpload.UploadResult first = upload.upload(dataset, progress::add);

        assertThat(first.s3Uri()).isEqualTo("s3://xray-data/runs/a/chest_xray");
        assertThat(first.uploaded()).isEqualTo(10);
        assertThat(first.skipped()).isZero();
        assertThat(progress).hasSize(10).last().satisfies(p -> assertThat(p.done()).isEqualTo(10));
        List<String> expectedKeys = dataset.records().stream().map(r -> "runs/a/chest_xray/" + r.split().directoryName()
                + "/" + r.label().name() + "/" + r.path().getFileName()).sorted().toList();
        assertThat(list("runs/a/chest_xray/")).extracting(S3Object::key).containsExactlyElementsOf(expectedKeys);
        assertThat(expectedKeys).anyMatch(k -> k.startsWith("runs/a/chest_xray/train/NORMAL/IM-"))
                .anyMatch(k -> k.startsWith("runs/a/chest_xray/val/PNEUMONIA/person"));
        var record = dataset.records().get(0);
        ResponseBytes<GetObjectResponse> object = session.s3().getObjectAsBytes(r -> r.bucket("xray-data").key(upload.key(record)));
        assertThat(object.asByteArray()).isEqualTo(Files.readAllBytes(record.path()));
        assertThat(object.response().metadata()).containsEntry(DatasetUpload.SHA256_METADATA, record.sha256());

        // one image changes on disk: only it is sent again
        Path changed = dataset.records().get(1).path();
        SyntheticXrays.writePng(changed, javax.imageio.ImageIO.read(dataset.records().get(2).path().toFile()));
        DatasetUpload.UploadResult second = upload.upload(Dataset.load(root), null);

        assertThat(second.uploaded()).isEqualTo(1);
        assertThat(second.skipped()).isEqualTo(9);
        assertThat(second.bytesSent()).isEqualTo(Files.size(changed));
    }

    @Test
    void fileChangedSinceReading_shouldBeRefusedNamingIt(@TempDir Path work) throws Exception {
        Path root = SyntheticXrays.write(work.resolve("chest_xray"), 1, 1, 6);
        Dataset dataset = Dataset.load(root);
        Path first = dataset.records().get(0).path();
        Files.write(first, new byte[] {1, 2, 3});

        assertThatThrownBy(() -> DatasetUpload.to(session, "s3://xray-data/changed").upload(dataset, null))
                .isInstanceOf(XrayException.class)
                .hasMessageContaining(first.toString())
                .hasMessageContaining("changed since the data set was read");
    }

    @Test
    void missingBucket_shouldSayWhatS3Answered(@TempDir Path work) {
        Dataset dataset = Dataset.load(SyntheticXrays.write(work.resolve("chest_xray"), 1, 1, 7));

        assertThatThrownBy(() -> DatasetUpload.to(session, "s3://no-such-bucket/x").upload(dataset, null))
                .isInstanceOf(SageMakerException.class)
                .hasMessageContaining("no-such-bucket");
    }

    @Test
    void badUri_shouldNameIt() {
        assertThatThrownBy(() -> DatasetUpload.to(session, "https://xray-data/x"))
                .isInstanceOfSatisfying(InvalidConfigurationException.class, e -> assertThat(e.field()).isEqualTo("s3Uri"));
    }
}
