module.exports = {
  displayName: 'connection-tester',
  preset: '../../jest.preset.js',
  rootDir: '.',
};
