package io.kmm.loader;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.kmm.process.Commands;

/**
 * The generated firmware copy, run with this machine's {@code sh} and GNU find (KernelLoadIT runs it with busybox on a
 * real kernel), the node's firmware directory moved to a temporary one: files copied, links never made nor followed.
 */
class FirmwareCopyTest {

    @TempDir
    Path tmp;
    Path image;
    Path node;

    @BeforeEach
    void dirs() throws Exception {
        image = Files.createDirectories(tmp.resolve("image/firmware"));
        node = Files.createDirectories(tmp.resolve("node"));
    }

    Commands.Result copy() throws Exception {
        String script = "set -e\n" + String.join("\n", ModprobeCommands.copyFirmware(image.toString()))
                .replace("'" + ModprobeCommands.FIRMWARE_DIR + "/'", "'" + node + "/'")
                .replace("'" + ModprobeCommands.FIRMWARE_DIR + "'", "'" + node + "'")
                .replace(ModprobeCommands.FIRMWARE_DIR + "/$f", node + "/$f");
        return Commands.run(Duration.ofSeconds(20), Map.of(), null, List.of("/bin/sh", "-c", script));
    }

    @Test
    void filesAndFoldersAreCopied() throws Exception {
        Files.createDirectories(image.resolve("vendor/sub"));
        Files.writeString(image.resolve("vendor/sub/fw.bin"), "one");
        Files.writeString(image.resolve("top.bin"), "two");
        Commands.Result r = copy();
        assertThat(r.code()).as(r.output()).isZero();
        assertThat(node.resolve("vendor/sub/fw.bin")).hasContent("one");
        assertThat(node.resolve("top.bin")).hasContent("two");
    }

    @Test
    void aLinkInTheImageIsRefused() throws Exception {
        Files.createSymbolicLink(image.resolve("shadow"), Path.of("/etc/shadow"));
        Commands.Result r = copy();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("KMM: firmware not copied", "holds symbolic links");
        assertThat(node).isEmptyDirectory();
    }

    @Test
    void aLinkOnTheNodeIsNeverWrittenThrough() throws Exception {
        Path elsewhere = Files.createDirectories(tmp.resolve("elsewhere"));
        Files.createSymbolicLink(node.resolve("vendor"), elsewhere);
        Files.createDirectories(image.resolve("vendor"));
        Files.writeString(image.resolve("vendor/fw.bin"), "x");
        Commands.Result r = copy();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("vendor is a symbolic link on the node");
        assertThat(elsewhere).isEmptyDirectory();
    }

    @Test
    void aNameThatIsNotAPlainPathIsRefused() throws Exception {
        Files.writeString(image.resolve("fw.bin\nevil"), "x");
        Commands.Result r = copy();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("is not a plain path");
        assertThat(node).isEmptyDirectory();
    }

    @Test
    void aFirmwarePathTheImageLacksIsSaidPlainly() throws Exception {
        Files.delete(image);
        Commands.Result r = copy();
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("is not a directory of the image");
    }
}
