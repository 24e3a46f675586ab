package io.xray.sagemaker;

import io.xray.InvalidConfigurationException;
import io.xray.XrayException;
import io.xray.data.Dataset;
import io.xray.data.ImageRecord;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Uploads a {@link Dataset}'s images to S3 in the {@code chest_xray} layout
 * ({@code PREFIX/{train,val,test}/{NORMAL,PNEUMONIA}/FILE}), so that the prefix can be a training
 * job's {@code train} channel as it is. Every object carries its SHA-256 (the data set's own, as
 * user metadata {@code sha256}) and is sent with {@code Content-MD5}, which S3 checks on arrival;
 * an object already there with the same SHA-256 and size is skipped, so re-running an upload only
 * sends what changed.
 *
 * <pre>{@code
 * UploadResult result = DatasetUpload.to(session, "s3://my-xray-bucket/chest_xray")
 *         .upload(Dataset.load(Path.of("chest_xray")), p -> System.err.println(p));
 * estimator.channel("train", result.s3Uri());
 * }</pre>
 */
public final class DatasetUpload {

    /** The user-metadata key holding an object's SHA-256. */
    public static final String SHA256_METADATA = "sha256";

    private static final Logger LOG = LoggerFactory.getLogger(DatasetUpload.class);
    private static final Pattern S3_PREFIX = Pattern.compile("s3://([a-z0-9][a-z0-9.\\-]{1,61}[a-z0-9])(?:/(.*))?");

    /**
     * One file done.
     *
     * @param done files done so far, this one included
     * @param total files in all
     * @param key the object's key
     * @param skipped true when the object was already there with the same SHA-256
     * @param bytesSent bytes sent so far
     */
    public record Progress(int done, int total, String key, boolean skipped, long bytesSent) {
        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "[%d/%d] %s %s", done, total, skipped ? "same, skipped" : "uploaded", key);
        }
    }

    /**
     * What an upload did.
     *
     * @param s3Uri the prefix the images are under, a {@code chest_xray} root
     * @param uploaded objects sent
     * @param skipped objects already there with the same SHA-256
     * @param bytesSent bytes sent
     */
    public record UploadResult(String s3Uri, int uploaded, int skipped, long bytesSent) {
    }

    private final S3Client s3;
    private final String bucket;
    private final String prefix;

    private DatasetUpload(S3Client s3, String bucket, String prefix) {
        this.s3 = s3;
        this.bucket = bucket;
        this.prefix = prefix;
    }

    /**
     * @param session the session whose S3 client is used
     * @param s3Uri the destination prefix, {@code s3://bucket/prefix}
     * @return the upload
     * @throws InvalidConfigurationException ({@code s3Uri}) for a malformed URI
     */
    public static DatasetUpload to(SageMakerSession session, String s3Uri) {
        Objects.requireNonNull(session, "session");
        var m = s3Uri == null ? null : S3_PREFIX.matcher(s3Uri);
        if (m == null || !m.matches()) {
            throw new InvalidConfigurationException("s3Uri", "'" + s3Uri + "' is not an S3 URI (s3://bucket/prefix)");
        }
        String prefix = m.group(2) == null ? "" : m.group(2).replaceAll("/+$", "");
        return new DatasetUpload(session.s3(), m.group(1), prefix);
    }

    /** @return {@code s3://bucket/prefix} */
    public String s3Uri() {
        return "s3://" + bucket + (prefix.isEmpty() ? "" : "/" + prefix);
    }

    /**
     * @param record an image
     * @return its key: {@code prefix/split/LABEL/file name}
     */
    public String key(ImageRecord record) {
        String relative = record.split().directoryName() + "/" + record.label().name() + "/" + record.path().getFileName();
        return prefix.isEmpty() ? relative : prefix + "/" + relative;
    }

    /**
     * Uploads every image of the data set, skipping those already there.
     *
     * @param dataset the images
     * @param progress hears about every file; may be null
     * @return what was sent and skipped
     * @throws XrayException naming the file when two images would land on one key, a file
     *     cannot be read, or S3 refuses a call (with the permission that is missing)
     */
    public UploadResult upload(Dataset dataset, Consumer<Progress> progress) {
        List<ImageRecord> records = dataset.records();
        Map<String, ImageRecord> byKey = new HashMap<>();
        for (ImageRecord record : records) {
            ImageRecord other = byKey.putIfAbsent(key(record), record);
            if (other != null && !other.sha256().equals(record.sha256())) {
                throw new XrayException("two different images would both be uploaded as " + key(record) + ": "
                        + other.path() + " and " + record.path() + "; rename one");
            }
        }
        int uploaded = 0;
        int skipped = 0;
        long bytes = 0;
        int done = 0;
        for (ImageRecord record : records) {
            String key = key(record);
            boolean same = sameObject(key, record);
            if (!same) {
                bytes += put(key, record);
                uploaded++;
            } else {
                skipped++;
            }
            done++;
            Progress p = new Progress(done, records.size(), key, same, bytes);
            if (progress != null) {
                progress.accept(p);
            }
            if (done % 100 == 0 || done == records.size()) {
                LOG.info("{}", p);
            }
        }
        LOG.info("Uploaded {} images to {} ({} bytes), {} already there", uploaded, s3Uri(), bytes, skipped);
        return new UploadResult(s3Uri(), uploaded, skipped, bytes);
    }

    private boolean sameObject(String key, ImageRecord record) {
        try {
            HeadObjectResponse head = s3.headObject(r -> r.bucket(bucket).key(key));
            return record.sha256().equals(head.metadata().get(SHA256_METADATA))
                    && head.contentLength() != null && head.contentLength() == Files.size(record.path());
        } catch (NoSuchKeyException e) {
            return false;
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return false;
            }
            throw AwsErrors.translate("HeadObject", "s3://" + bucket + "/" + key, e);
        } catch (SdkException e) {
            throw AwsErrors.translate("HeadObject", "s3://" + bucket + "/" + key, e);
        } catch (IOException e) {
            throw new XrayException("cannot read " + record.path() + ": " + e.getMessage(), e);
        }
    }

    private long put(String key, ImageRecord record) {
        byte[] bytes;
        String md5;
        try (InputStream in = new DigestInputStream(Files.newInputStream(record.path()), MessageDigest.getInstance("MD5"))) {
            bytes = in.readAllBytes();
            md5 = Base64.getEncoder().encodeToString(((DigestInputStream) in).getMessageDigest().digest());
            String sha256 = sha256(bytes);
            if (!sha256.equals(record.sha256())) {
                throw new XrayException(record.path() + " changed since the data set was read (SHA-256 " + sha256
                        + ", recorded " + record.sha256() + "); read the data set again");
            }
        } catch (IOException e) {
            throw new XrayException("cannot read " + record.path() + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try {
            s3.putObject(r -> r.bucket(bucket).key(key).contentMD5(md5).contentType(contentType(key))
                    .metadata(Map.of(SHA256_METADATA, record.sha256())), RequestBody.fromBytes(bytes));
        } catch (SdkException e) {
            throw AwsErrors.translate("PutObject", "s3://" + bucket + "/" + key, e);
        }
        return bytes.length;
    }

    private static String contentType(String key) {
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        return lower.endsWith(".png") ? "image/png" : lower.endsWith(".jpg") || lower.endsWith(".jpeg") ? "image/jpeg"
                : "application/octet-stream";
    }

    private static String sha256(byte[] bytes) throws NoSuchAlgorithmException {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
