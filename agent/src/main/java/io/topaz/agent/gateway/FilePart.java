package io.topaz.agent.gateway;

/**
 * A file parameter of a multipart call (TOP's upload APIs): not signed, as TOP does, and forwarded to the upstream as
 * a file part of a {@code multipart/form-data} body (docs/upstream-contract.md).
 */
record FilePart(String name, String filename, String contentType, byte[] content) {

    @Override
    public String toString() {
        return "FilePart[" + name + ", " + filename + ", " + contentType + ", " + content.length + " bytes]";
    }
}
